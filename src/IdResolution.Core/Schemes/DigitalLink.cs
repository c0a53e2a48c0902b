using System.Diagnostics.CodeAnalysis;

namespace IdResolution.Core.Schemes;

/// <summary>A GS1 primary key (AI and value, normalised) with its key qualifiers in their canonical order.</summary>
public sealed record Gs1Key(string PrimaryAi, string PrimaryValue, IReadOnlyList<(string Ai, string Value)> Qualifiers)
{
    /// <summary>The canonical Digital Link path: <c>/01/09506000134352/10/LOT1/21/S1</c> (values percent-encoded).</summary>
    public string Path => "/" + PrimaryAi + "/" + Uri.EscapeDataString(PrimaryValue)
        + string.Concat(Qualifiers.Select(q => "/" + q.Ai + "/" + Uri.EscapeDataString(q.Value)));

    /// <summary>The same key one level up (serial -> lot -> GTIN), for resolvers that fall back; null at the top.</summary>
    public Gs1Key? Parent => Qualifiers.Count == 0 ? null : this with { Qualifiers = Qualifiers.Take(Qualifiers.Count - 1).ToList() };
}

/// <summary>
/// Reads GS1 Digital Link URI paths (<c>/01/{gtin}/10/{lot}/21/{serial}</c>, <c>/00/{sscc}</c>, <c>/414/{gln}</c>...):
/// the primary keys and the key qualifiers the GS1 Digital Link standard allows after each, in order; GTINs of 8, 12
/// or 13 digits padded to 14; check digits verified; qualifier values in the GS1 character set 82 within their
/// lengths. Every refusal says why.
/// </summary>
public static class DigitalLink
{
    private sealed record KeyRule(int[] Lengths, bool CheckDigit, string[] Qualifiers, bool Numeric = true, int MaxLength = 0);

    private static readonly Dictionary<string, KeyRule> Primary = new(StringComparer.Ordinal)
    {
        ["01"] = new([8, 12, 13, 14], true, ["22", "10", "21"]),
        ["00"] = new([18], true, []),
        ["414"] = new([13], true, ["254", "7040"]),
        ["417"] = new([13], true, ["7040"]),
        ["8003"] = new([14], true, ["21"], Numeric: false, MaxLength: 30),
        ["8004"] = new([], false, ["7040"], Numeric: false, MaxLength: 30),
        ["8006"] = new([18], true, ["22", "10", "21"]),
        ["8010"] = new([], false, ["8011"], Numeric: false, MaxLength: 30),
        ["8013"] = new([], false, [], Numeric: false, MaxLength: 25),
        ["8017"] = new([18], true, ["8019"]),
        ["8018"] = new([18], true, ["8019"]),
        ["253"] = new([13], true, [], Numeric: false, MaxLength: 30),
        ["255"] = new([13], true, [], Numeric: false, MaxLength: 25),
        ["401"] = new([], false, [], Numeric: false, MaxLength: 30),
        ["402"] = new([17], true, []),
    };

    private static readonly Dictionary<string, int> QualifierMaxLength = new(StringComparer.Ordinal)
    {
        ["22"] = 20,
        ["10"] = 20,
        ["21"] = 20,
        ["254"] = 20,
        ["7040"] = 4,
        ["8011"] = 12,
        ["8019"] = 10,
    };

    private static readonly Dictionary<string, KeyRule>.AlternateLookup<ReadOnlySpan<char>> PrimaryBySpan = Primary.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> QualifierBySpan = QualifierMaxLength.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsPrimaryAi(string ai) => Primary.ContainsKey(ai);

    /// <summary>
    /// Whether <paramref name="path"/> (<c>01/09506000134352/21/S1</c>, no leading '/') is a valid key already in
    /// canonical form (GTIN of 14 digits, values of letters, digits, '-', '.', '_' that need no encoding): the resolve
    /// path's check, without allocating. False sends the caller to <see cref="TryParse"/>, which also explains errors.
    /// </summary>
    public static bool IsCanonical(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty || path[^1] == '/' || path.IndexOf("//", StringComparison.Ordinal) >= 0)
        {
            return false;
        }

        var ai = NextSegment(ref path);
        var value = NextSegment(ref path);
        if (!PrimaryBySpan.TryGetValue(ai, out var rule) || value.IsEmpty || !IsUnreserved(value))
        {
            return false;
        }

        if (!IsCanonicalPrimary(ai, value, rule))
        {
            return false;
        }

        var next = 0;
        while (!path.IsEmpty)
        {
            var qualifier = NextSegment(ref path);
            var qualifierValue = NextSegment(ref path);
            var position = QualifierPosition(rule, qualifier, next);
            if (position < 0 || !QualifierBySpan.TryGetValue(qualifier, out var max) || qualifierValue.IsEmpty || qualifierValue.Length > max || !IsUnreserved(qualifierValue))
            {
                return false;
            }

            next = position + 1;
        }

        return true;
    }

    private static bool IsCanonicalPrimary(ReadOnlySpan<char> ai, ReadOnlySpan<char> value, KeyRule rule)
    {
        if (rule.Numeric)
        {
            return rule.Lengths.AsSpan().Contains(value.Length)
                && (value.Length == 14 || !ai.SequenceEqual("01"))
                && !value.ContainsAnyExceptInRange('0', '9')
                && (!rule.CheckDigit || Gs1CheckDigit.IsValid(value));
        }

        var digits = rule.Lengths.Length > 0 ? rule.Lengths[0] : 0;
        return value.Length <= rule.MaxLength
            && value.Length >= digits
            && !value[..digits].ContainsAnyExceptInRange('0', '9')
            && (digits == 0 || Gs1CheckDigit.IsValid(value[..digits]));
    }

    private static int QualifierPosition(KeyRule rule, ReadOnlySpan<char> qualifier, int from)
    {
        for (var i = from; i < rule.Qualifiers.Length; i++)
        {
            if (qualifier.SequenceEqual(rule.Qualifiers[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static ReadOnlySpan<char> NextSegment(ref ReadOnlySpan<char> path)
    {
        var slash = path.IndexOf('/');
        var segment = slash < 0 ? path : path[..slash];
        path = slash < 0 ? [] : path[(slash + 1)..];
        return segment;
    }

    /// <summary>Characters a canonical path holds unencoded: letters, digits, '-', '.', '_'.</summary>
    private static bool IsUnreserved(ReadOnlySpan<char> value) => !value.ContainsAnyExcept(Unreserved);

    private static readonly System.Buffers.SearchValues<char> Unreserved =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._");

    /// <summary>The primary key AIs this resolver serves.</summary>
    public static IEnumerable<string> PrimaryAis => Primary.Keys;

    /// <summary>Reads a path such as <c>/01/09506000134352/21/ABC</c> (percent-encoded values; a leading domain path is not part of it).</summary>
    public static bool TryParse(string? path, [NotNullWhen(true)] out Gs1Key? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var segments = (path ?? "").Trim('/').Split('/');
        if (segments.Length < 2 || segments.Length % 2 != 0)
        {
            error = "a Digital Link path is /{primary AI}/{value} followed by /{qualifier AI}/{value} pairs";
            return false;
        }

        var ai = segments[0];
        if (!Primary.TryGetValue(ai, out var rule))
        {
            error = $"'{ai}' is not a GS1 primary key AI this resolver serves ({string.Join(", ", Primary.Keys)})";
            return false;
        }

        if (!TryDecode(segments[1], out var value))
        {
            error = $"AI ({ai}): the value is not valid percent-encoding";
            return false;
        }

        if (!TryPrimaryValue(ai, value, rule, out var normalised, out error))
        {
            return false;
        }

        var qualifiers = new List<(string, string)>();
        var next = 0;
        for (var i = 2; i < segments.Length; i += 2)
        {
            var qualifier = segments[i];
            var position = Array.IndexOf(rule.Qualifiers, qualifier, next);
            if (position < 0)
            {
                error = Array.IndexOf(rule.Qualifiers, qualifier) >= 0
                    ? $"AI ({qualifier}) is out of order: after ({ai}) the qualifiers come as {string.Join(", ", rule.Qualifiers.Select(q => $"({q})"))}"
                    : $"AI ({qualifier}) does not qualify ({ai})" + (rule.Qualifiers.Length == 0 ? "" : $"; allowed: {string.Join(", ", rule.Qualifiers.Select(q => $"({q})"))}");
                return false;
            }

            if (!TryDecode(segments[i + 1], out var qualifierValue))
            {
                error = $"AI ({qualifier}): the value is not valid percent-encoding";
                return false;
            }

            if (!TryCharacterSet82(qualifierValue, QualifierMaxLength[qualifier], out var problem))
            {
                error = $"AI ({qualifier}): {problem}";
                return false;
            }

            qualifiers.Add((qualifier, qualifierValue));
            next = position + 1;
        }

        key = new Gs1Key(ai, normalised, qualifiers);
        error = null;
        return true;
    }

    private static bool TryPrimaryValue(string ai, string value, KeyRule rule, out string normalised, [NotNullWhen(false)] out string? error)
    {
        normalised = value;
        error = null;
        if (rule.Numeric)
        {
            if (!rule.Lengths.Contains(value.Length) || !value.All(char.IsAsciiDigit))
            {
                error = $"AI ({ai}) is {string.Join(" or ", rule.Lengths)} digits; got '{value}'";
                return false;
            }

            normalised = ai == "01" ? value.PadLeft(14, '0') : value;
        }
        else
        {
            var digits = rule.Lengths.Length > 0 ? rule.Lengths[0] : 0;
            if (digits > 0 && (value.Length < digits || !value[..digits].All(char.IsAsciiDigit)))
            {
                error = $"AI ({ai}) starts with {digits} digits; got '{value}'";
                return false;
            }

            if (!TryCharacterSet82(value, rule.MaxLength, out var problem))
            {
                error = $"AI ({ai}): {problem}";
                return false;
            }

            if (digits > 0 && !Gs1CheckDigit.IsValid(value.AsSpan(0, digits)))
            {
                error = $"AI ({ai}): the check digit of {value[..digits]} should be {Gs1CheckDigit.Compute(value.AsSpan(0, digits - 1))}";
                return false;
            }

            return true;
        }

        if (rule.CheckDigit && !Gs1CheckDigit.IsValid(normalised))
        {
            error = $"AI ({ai}): the check digit of {value} should be {Gs1CheckDigit.Compute(value.AsSpan(0, value.Length - 1))}";
            return false;
        }

        return true;
    }

    /// <summary>GS1 AI encodable character set 82: digits, letters and <c>!"%&amp;'()*+,-./:;&lt;=&gt;?_</c>.</summary>
    private static bool TryCharacterSet82(string value, int maxLength, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        if (value.Length == 0 || value.Length > maxLength)
        {
            problem = $"1 to {maxLength} characters; got {value.Length}";
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!\"%&'()*+,-./:;<=>?_".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                problem = $"'{c}' is not in the GS1 character set 82";
                return false;
            }
        }

        return true;
    }

    private static bool TryDecode(string segment, out string value)
    {
        value = "";
        for (var i = segment.IndexOf('%', StringComparison.Ordinal); i >= 0; i = segment.IndexOf('%', i + 1))
        {
            if (i + 2 >= segment.Length || !char.IsAsciiHexDigit(segment[i + 1]) || !char.IsAsciiHexDigit(segment[i + 2]))
            {
                return false;
            }
        }

        value = Uri.UnescapeDataString(segment);
        return true;
    }
}

using System.Diagnostics.CodeAnalysis;
using IdResolution.Core.Handles;

namespace IdResolution.Core.Schemes;

/// <summary>
/// How OIDs and GS1 keys live in the handle name space. Their handle forms are <c>OID/&lt;oid&gt;</c> and
/// <c>GS1/&lt;Digital Link path&gt;</c>, so one record model, cache and API serve all three schemes. The namespaces that
/// own them are prefixes too: an OID arc is <c>OID.1.2.156.112.1001</c> (written <c>oid:1.2.156.112.1001</c>) and a GS1
/// company prefix <c>GS1.9506000</c> (<c>gs1:9506000</c>); a name belongs to the longest such prefix that is served.
/// </summary>
public static class SchemeNames
{
    public const string OidRoot = "OID";
    public const string Gs1Root = "GS1";
    private const string OidMarker = "oid:";
    private const string Gs1Marker = "gs1:";

    /// <summary>GS1 company prefixes are 4 to 12 digits long.</summary>
    public const int MinCompanyPrefix = 4;
    public const int MaxCompanyPrefix = 12;

    public static IdentifierScheme SchemeOf(string key) =>
        key.Length > 4 && key[3] == '/' ? RootScheme(key.AsSpan(0, 3)) : IdentifierScheme.Handle;

    /// <summary>The handle form of a name without '/': <c>oid:1.2.3</c> or a bare dotted OID <c>1.2.3</c>.</summary>
    internal static bool TryParseBare(string text, [NotNullWhen(true)] out string? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var marked = text.StartsWith(OidMarker, StringComparison.OrdinalIgnoreCase);
        if (!marked && !ObjectIdentifier.LooksDotted(text))
        {
            error = $"handle '{Shorten(text)}' has no '/' between prefix and suffix";
            return false;
        }

        var oid = marked ? text.AsSpan(OidMarker.Length) : text;
        error = ObjectIdentifier.Validate(oid);
        if (error is not null)
        {
            error = marked ? error : $"'{Shorten(text)}' has no '/' between prefix and suffix, and is not an OID: {error}";
            return false;
        }

        key = string.Concat(OidRoot, "/", oid);
        return true;
    }

    /// <summary>Whether a handle's prefix is a scheme root (<c>OID</c>, <c>GS1</c>, any case).</summary>
    internal static bool IsRoot(ReadOnlySpan<char> prefix, out IdentifierScheme scheme)
    {
        scheme = prefix.Length == 3 ? RootScheme(prefix) : IdentifierScheme.Handle;
        return scheme != IdentifierScheme.Handle;
    }

    /// <summary>Whether <paramref name="text"/> is already a valid canonical handle form (<c>OID/...</c>, <c>GS1/...</c>): checked without allocating.</summary>
    internal static bool IsCanonical(IdentifierScheme scheme, string text) =>
        text.StartsWith(scheme == IdentifierScheme.Oid ? "OID/" : "GS1/", StringComparison.Ordinal)
        && (scheme == IdentifierScheme.Oid ? ObjectIdentifier.Validate(text.AsSpan(4)) is null : DigitalLink.IsCanonical(text.AsSpan(4)));

    /// <summary>The canonical handle form of <c>OID/&lt;oid&gt;</c> or <c>GS1/&lt;Digital Link path&gt;</c>.</summary>
    internal static bool TryCanonical(IdentifierScheme scheme, string suffix, [NotNullWhen(true)] out string? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (scheme == IdentifierScheme.Oid)
        {
            error = ObjectIdentifier.Validate(suffix);
            key = error is null ? OidRoot + "/" + suffix : null;
            return error is null;
        }

        if (!DigitalLink.TryParse(suffix, out var gs1, out var problem))
        {
            error = "GS1 key: " + problem;
            return false;
        }

        key = Gs1Root + gs1.Path;
        error = null;
        return true;
    }

    /// <summary>The handle form of a GS1 key.</summary>
    public static HandleName HandleOf(Gs1Key key) => HandleName.Parse(Gs1Root + key.Path);

    /// <summary>
    /// Why a prefix in a scheme's namespace is malformed (<c>OID.&lt;oid&gt;</c>, <c>GS1.&lt;4 to 12 digits&gt;</c>), or
    /// null when it is well formed or not in one. The bare roots are reserved.
    /// </summary>
    internal static string? ValidateNamespace(ReadOnlySpan<char> prefix)
    {
        var root = prefix.Length >= 3 ? RootScheme(prefix[..3]) : IdentifierScheme.Handle;
        if (root == IdentifierScheme.Handle || (prefix.Length > 3 && prefix[3] != '.'))
        {
            return null;
        }

        if (prefix.Length == 3)
        {
            return $"prefix '{prefix}' is reserved for the {root} scheme; name an OID arc (oid:1.2.156...) or a GS1 company prefix (gs1:9506000)";
        }

        var rest = prefix[4..];
        if (root == IdentifierScheme.Oid)
        {
            return ObjectIdentifier.Validate(rest) is { } problem ? "OID arc: " + problem : null;
        }

        return rest.Length is < MinCompanyPrefix or > MaxCompanyPrefix || rest.ContainsAnyExceptInRange('0', '9')
            ? $"a GS1 company prefix is {MinCompanyPrefix} to {MaxCompanyPrefix} digits; got '{rest}'"
            : null;
    }

    /// <summary>Rewrites <c>oid:1.2.3</c> and <c>gs1:9506000</c> to the namespace prefixes <c>OID.1.2.3</c> and <c>GS1.9506000</c>.</summary>
    internal static string NamespaceText(string text) =>
        text.StartsWith(OidMarker, StringComparison.OrdinalIgnoreCase) ? OidRoot + "." + text[OidMarker.Length..]
        : text.StartsWith(Gs1Marker, StringComparison.OrdinalIgnoreCase) ? Gs1Root + "." + text[Gs1Marker.Length..]
        : text;

    /// <summary>
    /// The prefixes a name may belong to, longest first: a handle's own (home) prefix; an OID's arcs from the whole OID
    /// down to two arcs; a GS1 key's possible company prefixes, 12 digits down to 4, read where its key places them.
    /// </summary>
    public static List<PrefixName> HomeCandidates(HandleName name)
    {
        var key = name.Key;
        var scheme = SchemeOf(key);
        if (scheme == IdentifierScheme.Handle)
        {
            return [name.HomePrefix];
        }

        var candidates = new List<PrefixName>();
        if (scheme == IdentifierScheme.Oid)
        {
            var arcs = key[4..];
            for (var end = arcs.Length; end > 0 && arcs.AsSpan(0, end).Contains('.'); end = arcs.LastIndexOf('.', end - 1))
            {
                if (PrefixName.TryParse(OidRoot + "." + arcs[..end], out var arc, out _))
                {
                    candidates.Add(arc);
                }
            }

            return candidates;
        }

        var digits = CompanyDigits(key);
        for (var length = Math.Min(MaxCompanyPrefix, digits.Length); length >= MinCompanyPrefix; length--)
        {
            candidates.Add(PrefixName.Parse(Gs1Root + "." + digits[..length]));
        }

        return candidates;
    }

    /// <summary>The digits of a GS1 key from where its company prefix starts: after the indicator or extension digit for GTIN, SSCC, ITIP and GRAI.</summary>
    private static string CompanyDigits(string key)
    {
        var aiEnd = key.IndexOf('/', 4);
        var ai = key[4..aiEnd];
        var valueEnd = key.IndexOf('/', aiEnd + 1);
        var value = valueEnd < 0 ? key[(aiEnd + 1)..] : key[(aiEnd + 1)..valueEnd];
        var skip = ai is "01" or "00" or "8006" or "8003" ? 1 : 0;
        var end = skip;
        while (end < value.Length && char.IsAsciiDigit(value[end]))
        {
            end++;
        }

        return value[skip..end];
    }

    internal static IdentifierScheme RootScheme(ReadOnlySpan<char> root) =>
        root.Equals(OidRoot, StringComparison.OrdinalIgnoreCase) ? IdentifierScheme.Oid
        : root.Equals(Gs1Root, StringComparison.OrdinalIgnoreCase) ? IdentifierScheme.Gs1
        : IdentifierScheme.Handle;

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}

using System.Diagnostics.CodeAnalysis;
using System.Text;
using IdResolution.Core.Schemes;

namespace IdResolution.Core.Handles;

/// <summary>
/// A handle <c>PREFIX/SUFFIX</c>, split at the first '/'. The prefix is case-insensitive and the suffix
/// case-sensitive, so <see cref="Key"/> (the registry's and caches' lookup key) upper-cases only the prefix.
/// Parsing a name whose prefix is already upper-case allocates nothing: <see cref="Key"/> is then the input string.
/// </summary>
public readonly record struct HandleName
{
    private readonly int _slash;

    private HandleName(string display, string key, int slash)
    {
        Display = display;
        Key = key;
        _slash = slash;
    }

    /// <summary>The handle as the user wrote it.</summary>
    public string Display { get; }

    /// <summary>Normalised form: prefix upper-cased, suffix untouched.</summary>
    public string Key { get; }

    public PrefixName Prefix
    {
        get
        {
            var display = Display[.._slash];
            return PrefixName.FromValidated(display, ReferenceEquals(Key, Display) ? display : Key[.._slash]);
        }
    }

    public string Suffix => Display[(_slash + 1)..];

    /// <summary>
    /// The prefix under which this node serves the handle: its own prefix, except for a prefix record
    /// <c>0.NA/&lt;prefix&gt;</c>, which lives with the prefix it describes (its HS_ADMIN values administer that prefix).
    /// </summary>
    public PrefixName HomePrefix => IsPrefixRecord(out var described) ? described : Prefix;

    /// <summary>Whether this is the record of a prefix, <c>0.NA/&lt;prefix&gt;</c>, and of which.</summary>
    public bool IsPrefixRecord(out PrefixName described)
    {
        described = default;
        return Key.StartsWith(PrefixName.RecordPrefix + "/", StringComparison.Ordinal) && PrefixName.TryParse(Suffix, out described, out _);
    }

    public override string ToString() => Display;

    public static HandleName Parse(string text) =>
        TryParse(text, out var name, out var error) ? name : throw new HandleException(ResponseCode.InvalidHandle, error);

    public static bool TryParse(string? text, out HandleName name, [NotNullWhen(false)] out string? error)
    {
        name = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "handle is empty";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return TryScheme(SchemeNames.TryParseBare(text, out var oid, out error), oid, out name);
        }

        var prefix = text.AsSpan(0, slash);
        if (SchemeNames.IsRoot(prefix, out var scheme))
        {
            if (SchemeNames.IsCanonical(scheme, text))
            {
                name = new HandleName(text, text, 3);
                error = null;
                return true;
            }

            return TryScheme(SchemeNames.TryCanonical(scheme, text[(slash + 1)..], out var key, out error), key, out name);
        }

        error = slash == 0 ? $"handle '{Shorten(text)}' has an empty prefix"
            : PrefixName.Validate(prefix) ?? NotInNamespace(prefix) ?? ValidateSuffix(text, slash + 1);
        if (error is not null)
        {
            return false;
        }

        name = new HandleName(text, PrefixName.HasLowerAscii(prefix) ? UpperPrefix(text, slash) : text, slash);
        return true;
    }

    /// <summary>OIDs and GS1 keys take their canonical handle form as both display and key.</summary>
    private static bool TryScheme(bool parsed, string? key, out HandleName name)
    {
        name = parsed ? new HandleName(key!, key!, 3) : default;
        return parsed;
    }

    /// <summary>Names under an OID arc or GS1 company prefix are written in their scheme, not as handles of that prefix.</summary>
    private static string? NotInNamespace(ReadOnlySpan<char> prefix) =>
        prefix.Length > 4 && prefix[3] == '.' && SchemeNames.IsRoot(prefix[..3], out var scheme)
            ? $"prefix '{prefix}' is {(scheme == IdentifierScheme.Oid ? "an OID arc: write its identifiers as oid:<oid>" : "a GS1 company prefix: write its keys as GS1/<Digital Link path>")}"
            : null;

    /// <summary>Which scheme the name is in: a handle, or the handle form of an OID or GS1 key.</summary>
    public IdentifierScheme Scheme => SchemeNames.SchemeOf(Key);

    private static string UpperPrefix(string text, int slash) =>
        string.Create(text.Length, (text, slash), static (chars, state) =>
        {
            state.text.AsSpan().CopyTo(chars);
            for (var i = 0; i < state.slash; i++)
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        });

    private static string? ValidateSuffix(string handle, int start)
    {
        if (start == handle.Length)
        {
            return $"handle '{Shorten(handle)}' has an empty suffix";
        }

        for (var i = start; i < handle.Length; i++)
        {
            var c = handle[i];
            if (char.IsControl(c))
            {
                return $"handle suffix contains the control character {PrefixName.Printable(c)} at position {i - start}";
            }

            if (char.IsHighSurrogate(c) && i + 1 < handle.Length && char.IsLowSurrogate(handle[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"handle suffix contains an unpaired UTF-16 surrogate at position {i - start}";
            }
        }

        var bytes = Encoding.UTF8.GetByteCount(handle);
        return bytes > HandleLimits.MaxHandleBytes ? $"handle is {bytes} bytes in UTF-8; the limit is {HandleLimits.MaxHandleBytes}" : null;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}

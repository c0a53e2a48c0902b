using System.Diagnostics.CodeAnalysis;
using IdResolution.Core.Schemes;

namespace IdResolution.Core.Handles;

/// <summary>
/// A dotted, hierarchical prefix such as <c>88.118.8.1001</c>. Prefixes are ASCII-case-insensitive:
/// <see cref="Key"/> is the upper-cased form used for lookups, <see cref="Display"/> keeps what the user wrote.
/// </summary>
public readonly record struct PrefixName
{
    private PrefixName(string display, string key)
    {
        Display = display;
        Key = key;
    }

    /// <summary>The prefix under which prefix records live: <c>0.NA/88.118.8.1001</c> describes <c>88.118.8.1001</c>.</summary>
    public const string RecordPrefix = "0.NA";

    public string Display { get; }

    /// <summary>The handle of this prefix's record, <c>0.NA/&lt;prefix&gt;</c>.</summary>
    public HandleName RecordName => HandleName.Parse(RecordPrefix + "/" + Display);

    public string Key { get; }

    /// <summary>The scheme whose names this prefix holds: an OID arc (<c>OID.1.2.156</c>), a GS1 company prefix (<c>GS1.9506000</c>), or handles.</summary>
    public IdentifierScheme Scheme =>
        Key.Length > 4 && Key[3] == '.' ? SchemeNames.RootScheme(Key.AsSpan(0, 3)) : IdentifierScheme.Handle;

    public override string ToString() => Display;

    /// <summary>True when this prefix is <paramref name="ancestor"/> or derived from it (<c>88.118.8.1001</c> under <c>88.118.8</c>).</summary>
    public bool IsAtOrUnder(PrefixName ancestor) =>
        Key == ancestor.Key
        || (Key.Length > ancestor.Key.Length
            && Key.StartsWith(ancestor.Key, StringComparison.Ordinal)
            && Key[ancestor.Key.Length] == '.');

    /// <summary>The prefix this one is derived from (<c>88.118.8</c> for <c>88.118.8.1001</c>); false for a top-level prefix.</summary>
    public bool TryGetParent(out PrefixName parent)
    {
        var dot = Display.LastIndexOf('.');
        parent = dot > 0 ? new PrefixName(Display[..dot], Key[..dot]) : default;
        return dot > 0;
    }

    public static PrefixName Parse(string text) =>
        TryParse(text, out var prefix, out var error) ? prefix : throw new HandleException(ResponseCode.InvalidHandle, error);

    public static bool TryParse(string? text, out PrefixName prefix, [NotNullWhen(false)] out string? error)
    {
        prefix = default;
        text = text is null ? null : SchemeNames.NamespaceText(text);
        error = text is null ? "prefix is empty" : Validate(text) ?? SchemeNames.ValidateNamespace(text);
        if (error is not null)
        {
            return false;
        }

        prefix = new PrefixName(text!, HasLowerAscii(text) ? text!.ToUpperInvariant() : text!);
        return true;
    }

    /// <summary>A prefix already validated as part of a handle.</summary>
    internal static PrefixName FromValidated(string display, string key) => new(display, key);

    /// <summary>Why <paramref name="text"/> is not a prefix, or null when it is one. Allocates only to explain an error.</summary>
    internal static string? Validate(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return "prefix is empty";
        }

        if (text.Length > HandleLimits.MaxHandleBytes)
        {
            return $"prefix is longer than {HandleLimits.MaxHandleBytes} bytes";
        }

        var segments = 1;
        var segmentLength = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (segmentLength == 0)
                {
                    return $"prefix '{text}' has an empty segment at position {i}";
                }

                segments++;
                segmentLength = 0;
                continue;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return $"prefix '{text}' contains '{Printable(c)}' at position {i}; prefixes use letters, digits, '-' and '_' between dots";
            }

            segmentLength++;
        }

        if (segmentLength == 0)
        {
            return $"prefix '{text}' ends with an empty segment";
        }

        return segments > HandleLimits.MaxPrefixSegments ? $"prefix '{text}' has more than {HandleLimits.MaxPrefixSegments} segments" : null;
    }

    internal static bool HasLowerAscii(ReadOnlySpan<char> text) => text.ContainsAnyInRange('a', 'z');

    internal static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString();
}

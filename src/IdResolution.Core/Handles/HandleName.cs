using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace IdResolution.Core.Handles;

/// <summary>
/// A handle <c>PREFIX/SUFFIX</c>, split at the first '/'. The prefix is case-insensitive and the suffix
/// case-sensitive, so <see cref="Key"/> (the registry's lookup key) upper-cases only the prefix.
/// </summary>
public readonly record struct HandleName
{
    private HandleName(PrefixName prefix, string suffix, string display, string key)
    {
        Prefix = prefix;
        Suffix = suffix;
        Display = display;
        Key = key;
    }

    public PrefixName Prefix { get; }

    public string Suffix { get; }

    /// <summary>The handle as the user wrote it.</summary>
    public string Display { get; }

    /// <summary>Normalised form: prefix upper-cased, suffix untouched.</summary>
    public string Key { get; }

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
            error = $"handle '{Shorten(text)}' has no '/' between prefix and suffix";
            return false;
        }

        if (!PrefixName.TryParse(text[..slash], out var prefix, out error))
        {
            error = slash == 0 ? $"handle '{Shorten(text)}' has an empty prefix" : error;
            return false;
        }

        var suffix = text[(slash + 1)..];
        error = ValidateSuffix(text, suffix);
        if (error is not null)
        {
            return false;
        }

        var key = ReferenceEquals(prefix.Key, prefix.Display) ? text : string.Concat(prefix.Key, "/", suffix);
        name = new HandleName(prefix, suffix, text, key);
        return true;
    }

    private static string? ValidateSuffix(string handle, string suffix)
    {
        if (suffix.Length == 0)
        {
            return $"handle '{Shorten(handle)}' has an empty suffix";
        }

        for (var i = 0; i < suffix.Length; i++)
        {
            var c = suffix[i];
            if (char.IsControl(c))
            {
                return $"handle suffix contains the control character {PrefixName.Printable(c)} at position {i}";
            }

            if (char.IsHighSurrogate(c) && i + 1 < suffix.Length && char.IsLowSurrogate(suffix[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"handle suffix contains an unpaired UTF-16 surrogate at position {i}";
            }
        }

        var bytes = Encoding.UTF8.GetByteCount(handle);
        return bytes > HandleLimits.MaxHandleBytes ? $"handle is {bytes} bytes in UTF-8; the limit is {HandleLimits.MaxHandleBytes}" : null;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}

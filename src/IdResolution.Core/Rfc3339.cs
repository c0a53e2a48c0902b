using System.Globalization;

namespace IdResolution.Core;

/// <summary>RFC 3339 date-times with their offset (<c>Z</c> or <c>±hh:mm</c>): never read in the server's local time.</summary>
public static class Rfc3339
{
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        return text is { Length: > 10 } && text.Contains('T', StringComparison.Ordinal)
            && (text.EndsWith('Z') || IsOffset(text.AsSpan(text.Length - 6)))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    /// <summary>An offset such as <c>+08:00</c> (at most 14 hours).</summary>
    public static bool IsOffset(ReadOnlySpan<char> text) =>
        text.Length == 6 && text[0] is '+' or '-' && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2]) && text[3] == ':'
        && char.IsAsciiDigit(text[4]) && char.IsAsciiDigit(text[5]) && int.Parse(text.Slice(1, 2), CultureInfo.InvariantCulture) <= 14;
}

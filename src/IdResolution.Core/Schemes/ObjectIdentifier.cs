namespace IdResolution.Core.Schemes;

/// <summary>
/// OID syntax (ITU-T X.660): dotted decimal arcs without leading zeros, the first arc 0, 1 or 2, and under 0 and 1 a
/// second arc below 40. Errors name the arc at fault.
/// </summary>
public static class ObjectIdentifier
{
    /// <summary>
    /// The most arcs and the longest arc accepted: far beyond any registered OID, and within what a handle holds (its
    /// arcs under the <c>OID</c> root form a prefix of at most 32 segments).
    /// </summary>
    public const int MaxArcs = 31;
    public const int MaxArcDigits = 39;

    /// <summary>Whether <paramref name="text"/> looks like an attempt at a dotted OID (digits and dots only).</summary>
    public static bool LooksDotted(ReadOnlySpan<char> text) =>
        !text.IsEmpty && char.IsAsciiDigit(text[0]) && !text.ContainsAnyExcept(DigitsAndDot);

    /// <summary>Why <paramref name="text"/> is not an OID of at least <paramref name="minArcs"/> arcs, or null when it is one.</summary>
    public static string? Validate(ReadOnlySpan<char> text, int minArcs = 2)
    {
        var arcs = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                if (!char.IsAsciiDigit(text[i]))
                {
                    return $"OID '{Shorten(text)}': '{text[i]}' at position {i} is not a digit; arcs are decimal numbers";
                }

                continue;
            }

            var arc = text[start..i];
            arcs++;
            if (arc.IsEmpty)
            {
                return $"OID '{Shorten(text)}': arc {arcs} is empty";
            }

            if (arc.Length > 1 && arc[0] == '0')
            {
                return $"OID '{Shorten(text)}': arc {arcs} ('{arc}') has a leading zero";
            }

            if (arc.Length > MaxArcDigits || arcs > MaxArcs)
            {
                return $"OID '{Shorten(text)}' is too long (at most {MaxArcs} arcs of {MaxArcDigits} digits)";
            }

            if (arcs == 1 && !(arc.Length == 1 && arc[0] <= '2'))
            {
                return $"OID '{Shorten(text)}': the first arc is 0, 1 or 2, not {arc}";
            }

            if (arcs == 2 && text[0] != '2' && (arc.Length > 2 || (arc.Length == 2 && arc[0] >= '4')))
            {
                return $"OID '{Shorten(text)}': under {text[0]} the second arc is below 40, not {arc}";
            }

            start = i + 1;
        }

        return arcs < minArcs ? $"OID '{Shorten(text)}' has {arcs} arc(s); at least {minArcs} are needed" : null;
    }

    private static readonly System.Buffers.SearchValues<char> DigitsAndDot = System.Buffers.SearchValues.Create("0123456789.");

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 80 ? text.ToString() : string.Concat(text[..77], "...");
}

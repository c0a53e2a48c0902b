using System.Diagnostics.CodeAnalysis;

namespace IdResolution.Core.Schemes;

/// <summary>
/// GS1 keys as other systems write them: GS1 Digital Link URIs on any domain (<c>https://id.example/01/.../21/...</c>,
/// with or without a path before the key) and EPC pure-identity URNs (<c>urn:epc:id:sgtin:9506000.013435.S1</c>, sscc,
/// sgln, grai, giai, and the <c>urn:epc:class:lgtin</c> lot class), so that every spelling of one key is one name.
/// </summary>
public static class Gs1Uris
{
    public static bool TryParse(string text, [NotNullWhen(true)] out Gs1Key? key)
    {
        key = null;
        if (text.StartsWith("urn:epc:", StringComparison.OrdinalIgnoreCase))
        {
            return TryFromEpcUrn(text, out key);
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && TryFromDigitalLink(uri.AbsolutePath, out key);
    }

    /// <summary>The key in a Digital Link URI's path: from the first primary-key AI at which the rest reads as a key.</summary>
    private static bool TryFromDigitalLink(string path, [NotNullWhen(true)] out Gs1Key? key)
    {
        key = null;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (DigitalLink.IsPrimaryAi(segments[i]) && DigitalLink.TryParse("/" + string.Join('/', segments[i..]), out key, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly (string Scheme, int Fields)[] EpcSchemes =
    [
        ("urn:epc:id:sgtin:", 3), ("urn:epc:class:lgtin:", 3), ("urn:epc:id:sscc:", 2),
        ("urn:epc:id:sgln:", 3), ("urn:epc:id:grai:", 3), ("urn:epc:id:giai:", 2),
    ];

    private static bool TryFromEpcUrn(string urn, [NotNullWhen(true)] out Gs1Key? key)
    {
        key = null;
        foreach (var (scheme, count) in EpcSchemes)
        {
            if (!urn.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // The last field (serial, lot, asset reference) may itself hold '.' and ':'.
            var fields = urn[scheme.Length..].Split('.', count);
            if (fields.Length != count || fields[0].Length is < 6 or > 12 || fields[0].Any(c => !char.IsAsciiDigit(c)))
            {
                return false;
            }

            var path = Path(scheme, fields);
            return path is not null && !path.Contains('?', StringComparison.Ordinal) && DigitalLink.TryParse(path, out key, out _);
        }

        return false;
    }

    private static string? Path(string scheme, string[] fields) => scheme switch
    {
        "urn:epc:id:sgtin:" => Gtin(fields) is { } gtin ? $"/01/{gtin}/21/{Reencode(fields[2])}" : null,
        "urn:epc:class:lgtin:" => Gtin(fields) is { } gtin ? $"/01/{gtin}/10/{Reencode(fields[2])}" : null,
        "urn:epc:id:sscc:" => fields[1].Length == 0 ? null : $"/00/{WithCheck(fields[1][0] + fields[0] + fields[1][1..], 17)}",
        "urn:epc:id:sgln:" => $"/414/{WithCheck(fields[0] + fields[1], 12)}" + (fields[2] is "" or "0" ? "" : $"/254/{Reencode(fields[2])}"),
        "urn:epc:id:grai:" => $"/8003/{WithCheck("0" + fields[0] + fields[1], 13)}{Reencode(fields[2])}",
        _ => $"/8004/{fields[0]}{Reencode(fields[1])}",
    };

    /// <summary>GTIN-14 from an SGTIN's company prefix and indicator + item reference.</summary>
    private static string? Gtin(string[] fields) =>
        fields[1].Length == 0 ? null : WithCheck(fields[1][0] + fields[0] + fields[1][1..], 13);

    /// <summary>The digits with their check digit; '?' (which no key contains) when they are not all digits of that length.</summary>
    private static string WithCheck(string digits, int length) =>
        digits.Length == length && digits.All(char.IsAsciiDigit) ? digits + Gs1CheckDigit.Compute(digits) : "?";

    /// <summary>EPC URNs escape with %HH as URIs do; the Digital Link path wants the value percent-encoded once.</summary>
    private static string Reencode(string urnField) => Uri.EscapeDataString(Uri.UnescapeDataString(urnField));
}

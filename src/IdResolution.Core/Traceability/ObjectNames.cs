using IdResolution.Core.Handles;
using IdResolution.Core.Schemes;

namespace IdResolution.Core.Traceability;

/// <summary>
/// How events name objects: the node's handles (<c>88.118.8.1001/LOT-42</c>, stored by their normalised key), GS1 keys
/// however written (EPC URNs, Digital Link URIs on any domain, <c>GS1/...</c>: all stored as <c>GS1/&lt;Digital Link path&gt;</c>),
/// OIDs (<c>urn:oid:</c>, <c>oid:</c>: stored as <c>OID/...</c>), or other absolute URIs, kept as sent.
/// </summary>
public static class ObjectNames
{
    public const int MaxLength = 2048;

    public static bool TryNormalise(string? text, out string name, out string? error)
    {
        name = "";
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength)
        {
            error = $"an object name is 1 to {MaxLength} characters";
            return false;
        }

        if (HandleName.TryParse(text, out var handle, out _) && !text.Contains("://", StringComparison.Ordinal) && !text.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            name = handle.Key;
            error = null;
            return true;
        }

        if (text.StartsWith("urn:epc:idpat:", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{Shorten(text)}' is an EPC pattern; this node matches exact identifiers only";
            return false;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme is "urn" or "http" or "https") && !text.Any(char.IsControl))
        {
            name = Gs1Uris.TryParse(text, out var gs1) ? SchemeNames.Gs1Root + gs1.Path
                : text.StartsWith("urn:oid:", StringComparison.OrdinalIgnoreCase) && HandleName.TryParse("oid:" + text[8..], out var oid, out _) ? oid.Key
                : text;
            error = null;
            return true;
        }

        error = $"'{Shorten(text)}' is neither a handle (prefix/suffix) nor a URN or URL";
        return false;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}

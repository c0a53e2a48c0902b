using Microsoft.AspNetCore.Http.Features;

namespace IdResolution.Server.Traceability;

/// <summary>
/// Identifiers carried in a URL path (<c>/epcis/epcs/{id}</c>) are read from the raw request target and
/// percent-decoded exactly once: the router's value keeps <c>%2F</c> encoded while decoding the rest, which loses
/// the difference between a '/' and an identifier's own <c>%2F</c> (GS1 Digital Link serials have them).
/// Clients percent-encode identifiers that hold '%'; plain ones may be sent as they are.
/// </summary>
public static class PathIds
{
    public static string Read(HttpContext context, string routePrefix)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToString();
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            raw = raw[..query];
        }

        var at = raw.IndexOf(routePrefix, StringComparison.Ordinal);
        return Uri.UnescapeDataString(at < 0 ? raw : raw[(at + routePrefix.Length)..]);
    }
}

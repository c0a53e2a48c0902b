using Microsoft.Extensions.Primitives;

namespace IdResolution.Server.Http;

/// <summary>
/// Browser-facing protection on every HTTP answer (not gRPC): no MIME sniffing, no framing, no referrer, a content
/// policy that lets the node's own pages run their inline script and talk only to the node, and HSTS over TLS.
/// The values are static: setting them allocates nothing per request.
/// </summary>
public static class SecurityHeaders
{
    private static readonly StringValues NoSniff = "nosniff";
    private static readonly StringValues Deny = "DENY";
    private static readonly StringValues NoReferrer = "no-referrer";
    private static readonly StringValues ContentPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly StringValues Hsts = "max-age=31536000";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            Apply(context);
            return next(context);
        });

    /// <summary>Sets the headers (again after an error handler cleared the response).</summary>
    public static void Apply(HttpContext context)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            return;
        }

        var headers = context.Response.Headers;
        headers.XContentTypeOptions = NoSniff;
        headers.XFrameOptions = Deny;
        headers["Referrer-Policy"] = NoReferrer;
        headers.ContentSecurityPolicy = ContentPolicy;
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = Hsts;
        }
    }
}

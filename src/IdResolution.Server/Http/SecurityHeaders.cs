using Microsoft.Extensions.Primitives;

namespace IdResolution.Server.Http;

/// <summary>
/// Browser-facing protection on every HTTP answer (not gRPC): no MIME sniffing, no framing, a content policy that
/// loads nothing, and HSTS over TLS: OWASP's set for API answers. The node's HTML pages add their own policy (their
/// inline script and style, talking only to the node) and no referrer for the links they hold. A page that forgets
/// to stays inert rather than open. The values are static: setting them allocates nothing per request.
/// </summary>
public static class SecurityHeaders
{
    private static readonly StringValues NoSniff = "nosniff";
    private static readonly StringValues Deny = "DENY";
    private static readonly StringValues NoReferrer = "no-referrer";
    private static readonly StringValues ApiPolicy = "default-src 'none'; frame-ancestors 'none'";
    private static readonly StringValues PagePolicy =
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
        headers.ContentSecurityPolicy = ApiPolicy;
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = Hsts;
        }
    }

    /// <summary>For an HTML page of the node's, after <see cref="Apply"/>.</summary>
    public static void ApplyPage(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = PagePolicy;
        response.Headers["Referrer-Policy"] = NoReferrer;
    }
}

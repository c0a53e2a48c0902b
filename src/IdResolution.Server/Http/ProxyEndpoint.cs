using System.Text;
using System.Text.Encodings.Web;
using IdResolution.Core.Json;
using IdResolution.Core.Values;
using IdResolution.Server.Resolution;
using IdResolution.Server.Telemetry;

namespace IdResolution.Server.Http;

/// <summary>
/// The browser proxy: <c>GET /{handle}</c> redirects (302) to the handle's URL value; <c>?noredirect</c>
/// shows the record as a page, and <c>Accept: application/json</c> gets the Handle JSON.
/// Mapped last, so every other route wins.
/// </summary>
public static class ProxyEndpoint
{
    public static IEndpointRouteBuilder MapProxy(this IEndpointRouteBuilder app)
    {
        app.MapGet("/{**handle}", ProxyAsync).MeasuredAsResolves().WithTags("Proxy").WithSummary("Redirects to the handle's URL value; ?noredirect shows its values.");
        return app;
    }

    private static async Task ProxyAsync(HttpContext context, string? handle, HandleResolver resolver, ResolveMetrics metrics)
    {
        if (string.IsNullOrEmpty(handle))
        {
            await WriteHtmlAsync(context, StatusCodes.Status200OK, "IdResolution node",
                "<p>Resolve an identifier: <code>/{prefix}/{suffix}</code>, e.g. <a href=\"/88.118.8.1001/SHAMPOO-2026-000123?noredirect\">88.118.8.1001/SHAMPOO-2026-000123</a>.</p>"
                + "<p><a href=\"/dashboard\">Dashboard</a> · <a href=\"/api/prefixes\">Prefixes</a> · <a href=\"/openapi/v1.json\">OpenAPI</a> · "
                + "<a href=\"/readyz\">Readiness</a> · <a href=\"/metrics\">Metrics</a></p>");
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var resolution = await resolver.ResolveAsync(handle, authoritative: false, context.RequestAborted);
        metrics.Resolved(ResolveMetrics.Http, resolution.Code, resolution.Layer, started);
        var wantsJson = context.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase);
        if (resolution.Record is not { } record)
        {
            if (wantsJson)
            {
                await HandleResponses.WriteErrorAsync(context, resolution.Code, handle, resolution.Message!, resolving: true);
            }
            else
            {
                await NodeErrorHandling.WriteProblemAsync(context, HandleHttpStatus.For(resolution.Code, resolving: true), resolution.Code, resolution.Message!);
            }

            return;
        }

        var values = ValueVisibility.Select(record.Values, ValueFilter.All, await ReadAccess.SeesRestrictedAsync(context, resolution.Entry!, context.RequestAborted));
        if (wantsJson)
        {
            await HandleResponses.WriteRecordAsync(context, record.Handle, values);
        }
        else if (!context.Request.Query.ContainsKey("noredirect") && RedirectTarget(values) is { } target)
        {
            context.Response.Redirect(target);
        }
        else
        {
            await WriteHtmlAsync(context, StatusCodes.Status200OK, record.Handle, ValuesTable(values));
        }
    }

    /// <summary>The URL value with the lowest index, when it is an absolute http(s) URL.</summary>
    private static string? RedirectTarget(IReadOnlyList<HandleValue> values)
    {
        foreach (var value in values)
        {
            if (value.HasType(WellKnownTypes.Url)
                && Uri.TryCreate(Encoding.UTF8.GetString(value.Data), UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return uri.AbsoluteUri;
            }
        }

        return null;
    }

    private static string ValuesTable(IReadOnlyList<HandleValue> values)
    {
        var html = new StringBuilder("<table><thead><tr><th>Index</th><th>Type</th><th>Timestamp</th><th>Data</th></tr></thead><tbody>");
        foreach (var value in values)
        {
            var data = Utf8IsText(value.Data) ? Encoding.UTF8.GetString(value.Data) : Convert.ToBase64String(value.Data);
            html.Append("<tr><td>").Append(value.Index)
                .Append("</td><td>").Append(HtmlEncoder.Default.Encode(value.Type))
                .Append("</td><td>").Append(HandleJsonWriter.FormatTime(value.Timestamp))
                .Append("</td><td>").Append(HtmlEncoder.Default.Encode(data))
                .Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static bool Utf8IsText(byte[] data) => System.Text.Unicode.Utf8.IsValid(data);

    private static async Task WriteHtmlAsync(HttpContext context, int status, string title, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        SecurityHeaders.ApplyPage(context.Response);
        var encoded = HtmlEncoder.Default.Encode(title);
        await context.Response.WriteAsync(
            $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{encoded}</title>"
            + "<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}</style>"
            + $"</head><body><h1>{encoded}</h1>{body}</body></html>",
            context.RequestAborted);
    }
}

using IdResolution.Core;
using IdResolution.Registry.Import;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IdResolution.Server.Bulk;

/// <summary>
/// <c>POST /api/import</c>: bulk registration from a CSV or JSON Lines body, streamed (no size limit; memory holds
/// one batch). Each committed batch is resolvable at once: cached "not registered" answers are dropped on every node.
/// </summary>
public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/import", ImportAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithTags("Import")
            .WithSummary("Registers identifiers in bulk. Body: CSV (Content-Type text/csv; header handle,template,index:type...) or JSON Lines "
                + "(application/x-ndjson; one {handle, template, values} per line). ?mode=all-or-nothing stores nothing if any row fails. "
                + "Rows already registered are skipped, so an interrupted import can simply be sent again.");
        return app;
    }

    private static async Task ImportAsync(HttpContext context, BulkImport import, string? format, string? mode)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var result = await import.RunAsync(
            context.User,
            context.Request.Body,
            BulkImport.Format(format ?? context.Request.ContentType?.Split(';')[0].Trim()),
            string.Equals(mode, "all-or-nothing", StringComparison.OrdinalIgnoreCase),
            context.RequestAborted);
        await WriteAsync(context, result);
    }

    private static Task WriteAsync(HttpContext context, ImportResult result) =>
        HandleResponses.WriteAsync(context, result.RolledBack ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("responseCode", (int)(result.RolledBack ? ResponseCode.InvalidValue : ResponseCode.Success));
            w.WriteNumber("read", result.Read);
            w.WriteNumber("imported", result.Imported);
            w.WriteNumber("existing", result.Existing);
            w.WriteNumber("failed", result.Failed);
            w.WriteBoolean("rolledBack", result.RolledBack);
            w.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            w.WriteNumber("rowsPerSecond", result.Elapsed.TotalSeconds > 0 ? Math.Round(result.Read / result.Elapsed.TotalSeconds) : 0);
            w.WriteStartArray("errors");
            foreach (var error in result.Errors)
            {
                w.WriteStartObject();
                w.WriteNumber("line", error.Line);
                if (error.Handle is not null)
                {
                    w.WriteString("handle", error.Handle);
                }

                w.WriteNumber("responseCode", (int)error.Code);
                w.WriteString("message", error.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("errorsTruncated", result.Failed > result.Errors.Count);
            w.WriteEndObject();
        });
}

using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Values;
using IdResolution.Registry;
using IdResolution.Registry.Import;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;
using IdResolution.Server.Statistics;
using IdResolution.Server.Telemetry;
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

    private static async Task ImportAsync(
        HttpContext context, HandleImport import, PrefixAccess access, ResolutionCache cache, PrefixCounters counters, WriteMetrics writes, string? format, string? mode)
    {
        var caller = Caller.From(context.User)!;
        if (!AccessRoles.Writes(caller.Role))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, $"a {caller.Role} key cannot register identifiers");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var items = ImportReader.ReadAsync(context.Request.Body, Format(format, context.Request.ContentType), context.RequestAborted);
        var options = new ImportOptions(AllOrNothing: string.Equals(mode, "all-or-nothing", StringComparison.OrdinalIgnoreCase));
        var result = await import.ImportAsync(
            items,
            options,
            async (name, token) =>
            {
                try
                {
                    await access.EnsureCanChangeAsync(context.User, name, _ => AdminPermissions.AddHandle, token);
                    return null;
                }
                catch (HandleException refusal)
                {
                    return refusal;
                }
            },
            async (registered, _) =>
            {
                long total = 0;
                foreach (var (prefix, count) in registered)
                {
                    counters.Registered(prefix, count);
                    total += count;
                }

                writes.Created(total);
                await cache.InvalidateNegativesAsync(CancellationToken.None);
            },
            context.RequestAborted);
        await WriteAsync(context, result);
    }

    private static ImportFormat Format(string? format, string? contentType) =>
        (format ?? contentType?.Split(';')[0].Trim()) switch
        {
            "csv" or "text/csv" => ImportFormat.Csv,
            "jsonl" or "ndjson" or "application/x-ndjson" or "application/jsonl" or "application/jsonlines" => ImportFormat.JsonLines,
            var other => throw new HandleException(ResponseCode.ProtocolError, $"'{other}' is not an import format: send text/csv or application/x-ndjson (or ?format=csv|jsonl)"),
        };

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

using System.Buffers;
using System.Text.Json;
using IdResolution.Core.Handles;
using IdResolution.Core.Json;
using IdResolution.Registry;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Bulk;

/// <summary>
/// <c>GET /api/export?prefix=</c>: every identifier under a prefix (arc, company prefix) as JSON Lines — the format
/// <c>POST /api/import</c> reads back — streamed page by page in key order, in bounded memory.
/// </summary>
public static class ExportEndpoints
{
    private const int PageSize = 5000;

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/export", ExportAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithTags("Import")
            .WithSummary("Streams every identifier under ?prefix= as JSON Lines ({handle, values} per line; the prefix's enterprise keys and operators).");
        return app;
    }

    private static async Task ExportAsync(HttpContext context, HandleRegistry registry, PrefixRegistry prefixes, PrefixAccess access, string? prefix)
    {
        var name = PrefixName.Parse(prefix ?? throw new Core.HandleException(Core.ResponseCode.ProtocolError, "export needs ?prefix="));
        await access.EnsureCanListAsync(context.User, name, context.RequestAborted);
        await prefixes.EnsureServedAsync(name, context.RequestAborted);
        context.Response.ContentType = "application/x-ndjson; charset=utf-8";
        string? after = null;
        while (true)
        {
            var page = await registry.ExportPageAsync(name, after, PageSize, context.RequestAborted);
            foreach (var (key, record) in page)
            {
                // A delegate allowed to list may still lack read value: its export holds what its resolves would show.
                var values = await access.SeesRestrictedAsync(context.User, Core.Handles.HandleName.Parse(record.Handle), record.Values, context.RequestAborted)
                    ? record.Values
                    : Core.Values.ValueVisibility.PublicOnly(record.Values);
                using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, HandleJsonWriter.Options))
                {
                    writer.WriteStartObject();
                    writer.WriteString("handle", record.Handle);
                    writer.WriteStartArray("values");
                    foreach (var value in values)
                    {
                        HandleJsonWriter.WriteValue(writer, value);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                context.Response.BodyWriter.Write("\n"u8);
                after = key;
            }

            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
            if (page.Count < PageSize)
            {
                return;
            }
        }
    }
}

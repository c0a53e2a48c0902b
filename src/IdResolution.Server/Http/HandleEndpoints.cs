using System.Diagnostics;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Json;
using IdResolution.Core.Values;
using IdResolution.Registry;
using IdResolution.Server.Auth;
using IdResolution.Server.Resolution;
using IdResolution.Server.Telemetry;
using IdResolution.Server.Writes;

namespace IdResolution.Server.Http;

/// <summary>The Handle REST API: <c>/api/handles</c>, compatible with the reference server's JSON and codes.</summary>
public static class HandleEndpoints
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 10_000;

    public static IEndpointRouteBuilder MapHandleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/handles").WithTags("Handles");
        api.MapGet("", ListAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Lists the handles under a prefix: ?prefix=P&page=N&pageSize=M.");
        // The resolver is a singleton taken once here, not per request from RequestServices (which would create a scope).
        var resolver = app.ServiceProvider.GetRequiredService<HandleResolver>();
        var metrics = app.ServiceProvider.GetRequiredService<ResolveMetrics>();
        api.MapGet("/{**handle}", (HttpContext context, string handle) => ResolveAsync(context, handle, resolver, metrics))
            .MeasuredAsResolves()
            .WithSummary("Resolves a handle. Filters: repeated type= (a trailing '.' selects sub-types) and index=; pretty=true indents; "
                + "lifecycle=true adds the identifier's current disposition, location and custodian from its traceability events.");
        // Any key at the door: PrefixAccess decides, by the key's enterprise and role or by the handle's HS_ADMIN grants.
        api.MapPut("/{**handle}", PutAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Creates or replaces a handle (overwrite=false: create only); with index=, adds or replaces only those values.");
        api.MapDelete("/{**handle}", DeleteAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Deletes a handle, or with index= only those values.");
        return app;
    }

    private static async Task ResolveAsync(HttpContext context, string handle, HandleResolver resolver, ResolveMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var code = ResponseCode.Error; // what is recorded if the request fails unexpectedly or is abandoned
        CacheLayer? layer = null;
        try
        {
            // Most resolves have no query: the empty collection spares a query feature per request.
            var query = context.Request.QueryString.HasValue ? context.Request.Query : QueryCollection.Empty;
            if (!ResolveQuery.TryReadFilter(query, out var filter, out var error))
            {
                code = ResponseCode.ProtocolError;
                await HandleResponses.WriteErrorAsync(context, code, handle, error!);
                return;
            }

            var resolution = await resolver.ResolveAsync(handle, ResolveQuery.Flag(query, "auth"), context.RequestAborted);
            (code, layer) = (resolution.Code, resolution.Layer);
            if (resolution.Referral is { } referral)
            {
                await HandleResponses.WriteReferralAsync(context, handle, resolution.Message!, referral);
                return;
            }

            if (resolution.Entry is not { } entry)
            {
                await HandleResponses.WriteErrorAsync(context, resolution.Code, handle, resolution.Message!, resolving: true);
                return;
            }

            if (filter.SelectsAll && ReadAccess.PublicSuffices(context, entry) && !query.ContainsKey("pretty") && !query.ContainsKey("lifecycle"))
            {
                // The common case: the whole public record, serialised once when it was cached.
                await HandleResponses.WriteBytesAsync(context, entry.PublicJson);
                return;
            }

            var seesRestricted = await ReadAccess.SeesRestrictedAsync(context, entry, context.RequestAborted);
            var values = ValueVisibility.Select(entry.Record!.Values, filter, seesRestricted);
            if (values.Count == 0 && !filter.SelectsAll)
            {
                code = ResponseCode.ValuesNotFound;
                await HandleResponses.WriteErrorAsync(context, code, entry.Handle, "Values Not Found", resolving: true);
                return;
            }

            if (ResolveQuery.Flag(query, "lifecycle"))
            {
                await Traceability.LifecycleAnswer.WriteAsync(context, entry.Handle, values, entry.AliasList);
                return;
            }

            await HandleResponses.WriteRecordAsync(context, entry.Handle, values, entry.AliasList);
        }
        finally
        {
            metrics.Resolved(ResolveMetrics.Http, code, layer, started);
        }
    }

    private static async Task PutAsync(HttpContext context, string handle, HandleWrites writes)
    {
        var name = HandleName.Parse(handle);
        if (!ResolveQuery.TryReadIndexes(context.Request.Query, out var indexes, out var error))
        {
            throw new HandleException(ResponseCode.ProtocolError, error!);
        }

        using var body = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        var values = HandleJsonReader.ReadValues(body.RootElement, out var bodyHandle);
        if (bodyHandle is not null && HandleName.Parse(bodyHandle).Key != name.Key)
        {
            throw new HandleException(ResponseCode.InvalidHandle, $"the body names handle {bodyHandle}, the URL {handle}");
        }

        var overwrite = !string.Equals(context.Request.Query["overwrite"], "false", StringComparison.OrdinalIgnoreCase);
        var (user, cancellationToken) = (context.User, context.RequestAborted);
        var result = indexes.Length > 0 ? await writes.UpsertAsync(user, name, Selected(values, indexes), overwrite, cancellationToken)
            : overwrite ? await writes.CreateOrReplaceAsync(user, name, values, cancellationToken)
            : await writes.CreateAsync(user, name, values, cancellationToken);
        await HandleResponses.WriteSuccessAsync(context, result.Handle, result.Created);
    }

    private static async Task DeleteAsync(HttpContext context, string handle, HandleWrites writes)
    {
        var name = HandleName.Parse(handle);
        if (!ResolveQuery.TryReadIndexes(context.Request.Query, out var indexes, out var error))
        {
            throw new HandleException(ResponseCode.ProtocolError, error!);
        }

        if (indexes.Length > 0)
        {
            await writes.RemoveValuesAsync(context.User, name, indexes, context.RequestAborted);
        }
        else
        {
            await writes.DeleteAsync(context.User, name, context.RequestAborted);
        }

        await HandleResponses.WriteSuccessAsync(context, name.Display, created: false);
    }

    private static async Task ListAsync(HttpContext context, HandleRegistry registry, PrefixRegistry prefixes, PrefixAccess access, string? prefix, int? page, int? pageSize)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            throw new HandleException(ResponseCode.ProtocolError, "listing needs ?prefix=");
        }

        var name = PrefixName.Parse(prefix);
        var size = pageSize ?? DefaultPageSize;
        if (page < 0 || size is < 1 or > MaxPageSize || (long)(page ?? 0) * size > int.MaxValue)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"page must be >= 0, pageSize between 1 and {MaxPageSize}, and page x pageSize below 2^31");
        }

        await access.EnsureCanListAsync(context.User, name, context.RequestAborted);
        await prefixes.EnsureServedAsync(name, context.RequestAborted);
        var (handles, total) = await registry.ListPageAsync(name, page ?? 0, size, context.RequestAborted);
        await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("responseCode", (int)ResponseCode.Success);
            writer.WriteString("prefix", name.Display);
            // The reference server sends the count as a string.
            writer.WriteString("totalCount", total.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteNumber("page", page ?? 0);
            writer.WriteNumber("pageSize", size);
            writer.WriteStartArray("handles");
            foreach (var handle in handles)
            {
                writer.WriteStringValue(handle);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The body's values named by <c>?index=</c>; each named index must be in the body.</summary>
    private static List<HandleValue> Selected(List<HandleValue> values, int[] indexes)
    {
        var selected = new List<HandleValue>(indexes.Length);
        foreach (var index in indexes)
        {
            selected.Add(values.Find(v => v.Index == index)
                ?? throw new HandleException(ResponseCode.InvalidValue, $"index={index} is in the URL but no value with that index is in the body"));
        }

        return selected;
    }
}

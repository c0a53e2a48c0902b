using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Registry;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Http;

/// <summary><c>/api/prefixes</c>: the prefixes this node serves (its own and enterprise prefixes under it).</summary>
public static class PrefixEndpoints
{
    public static IEndpointRouteBuilder MapPrefixApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/prefixes").WithTags("Prefixes");
        api.MapGet("", ListAsync).WithSummary("Lists the prefixes served by this node.");
        api.MapGet("/{prefix}", GetAsync).WithSummary("Whether this node serves a prefix: 200, or 404 with code 100.");
        api.MapDelete("/{prefix}", DeleteAsync)
            .RequireAuthorization(NodePolicies.Operator)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Unhomes a prefix that holds no identifiers (operators): this node stops serving it and unfiles it with the top-level node. 204; 404 with code 100 when it was not served; 409 while identifiers remain.");
        api.MapPost("/{prefix}", CreateAsync)
            .RequireAuthorization(NodePolicies.Accounts)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Homes a prefix here: the node prefix or one derived from it (e.g. 88.118.8.1001). 201 when new, 200 when already served. Operators create any; an enterprise admin creates prefixes derived from its own, owned by its enterprise.");
        return app;
    }

    private static async Task ListAsync(HttpContext context, PrefixRegistry prefixes)
    {
        var served = await prefixes.ListAsync(context.RequestAborted);
        await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("responseCode", (int)ResponseCode.Success);
            writer.WriteString("nodePrefix", prefixes.NodePrefix.Display);
            writer.WriteStartArray("prefixes");
            foreach (var prefix in served)
            {
                writer.WriteStringValue(prefix);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static async Task GetAsync(HttpContext context, string prefix, PrefixRegistry prefixes)
    {
        var name = PrefixName.Parse(prefix);
        if (!await prefixes.IsServedAsync(name, context.RequestAborted))
        {
            throw new HandleException(ResponseCode.HandleNotFound, $"this node does not serve prefix {name.Display}");
        }

        await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, writer => WritePrefix(writer, name));
    }

    private static async Task CreateAsync(HttpContext context, string prefix, PrefixRegistry prefixes, PrefixAccess access)
    {
        var name = PrefixName.Parse(prefix);
        var owner = await access.OwnerOfNewPrefixAsync(context.User, name, context.RequestAborted);
        var created = await prefixes.CreateAsync(name, owner, context.RequestAborted);
        await HandleResponses.WriteAsync(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, writer => WritePrefix(writer, name));
    }

    private static async Task<IResult> DeleteAsync(string prefix, PrefixRegistry prefixes, Caching.ResolutionCache cache, StandbyReads standby, CancellationToken cancellationToken)
    {
        var name = PrefixName.Parse(prefix);
        if (!await prefixes.DeleteAsync(name, cancellationToken))
        {
            throw new HandleException(ResponseCode.HandleNotFound, $"this node does not serve prefix {prefix}");
        }

        // Cached "not found" answers under the prefix would now be wrong ("not served here", or another site's answer).
        standby.WrittenInBulk();
        await cache.InvalidateAsync(name.RecordName.Key, cancellationToken);
        await cache.InvalidateNegativesAsync(cancellationToken);
        return Results.NoContent();
    }

    private static void WritePrefix(Utf8JsonWriter writer, PrefixName prefix)
    {
        writer.WriteStartObject();
        writer.WriteNumber("responseCode", (int)ResponseCode.Success);
        writer.WriteString("prefix", prefix.Display);
        writer.WriteEndObject();
    }
}

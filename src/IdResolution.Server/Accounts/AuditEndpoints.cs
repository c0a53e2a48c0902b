using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Registry;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Accounts;

/// <summary><c>GET /admin/audit</c>: who wrote what, when, from where, with the versions before and after (operators).</summary>
public static class AuditEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/audit", QueryAsync).RequireAuthorization(NodePolicies.Operator).WithTags("Accounts").WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Audit entries, newest first: prefix=, handle=, keyId=, enterpriseId= (the account that wrote), from= and to= (RFC 3339), limit= (<= 1000); "
                + "the Link header (rel=next) pages on.");
        return app;
    }

    private static async Task<IResult> QueryAsync(
        HttpContext context, AuditLog audit, string? prefix, string? handle, long? keyId, long? enterpriseId, DateTimeOffset? from, DateTimeOffset? to, int? limit, long? before, CancellationToken cancellationToken)
    {
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"limit must be between 1 and {MaxLimit}");
        }

        var query = new AuditQuery(
            prefix is null ? null : PrefixName.Parse(prefix).Key,
            handle is null ? null : HandleName.Parse(handle).Key,
            keyId,
            enterpriseId,
            from?.ToUnixTimeMilliseconds(),
            to?.ToUnixTimeMilliseconds(),
            before,
            size);
        var entries = await audit.QueryAsync(query, cancellationToken);
        if (entries.Count == size)
        {
            var next = QueryString.Create(context.Request.Query.Where(q => q.Key != "before").Append(new("before", entries[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            context.Response.Headers.Link = $"<{context.Request.Path}{next}>; rel=\"next\"";
        }

        return Results.Ok(new
        {
            entries = entries.ConvertAll(e => new
            {
                e.Id,
                at = DateTimeOffset.FromUnixTimeMilliseconds(e.At),
                actor = e.Actor,
                e.KeyId,
                e.EnterpriseId,
                e.Address,
                e.Action,
                e.Target,
                e.Prefix,
                e.VersionBefore,
                e.VersionAfter,
                e.Detail,
            }),
        });
    }
}

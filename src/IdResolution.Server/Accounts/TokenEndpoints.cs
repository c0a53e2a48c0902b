using IdResolution.Core;
using IdResolution.Registry;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Accounts;

/// <summary>
/// <c>POST /auth/token</c>: exchanges the caller's key (Bearer, or Handle-style Basic) for a short-lived bearer token
/// with the same rights, so that long-lived secrets stay in a vault while devices and scripts hold tokens.
/// A token is a key like any other (hashed, audited, revocable) and dies with the key it came from.
/// </summary>
public static class TokenEndpoints
{
    public const int DefaultTtlSeconds = 3600;
    public const int MaxTtlSeconds = 86_400;

    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/token", IssueAsync).RequireAuthorization(NodePolicies.Read).WithTags("Accounts")
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary($"A short-lived bearer token with the caller's rights: optional body {{ttlSeconds}} (default {DefaultTtlSeconds}, at most {MaxTtlSeconds}); never outlives the caller's key.");
        return app;
    }

    private static async Task<IResult> IssueAsync(HttpContext context, AccessKeyStore keys, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User)!;
        var ttl = await RequestedTtlAsync(context.Request, cancellationToken);
        if (ttl is < 1 or > MaxTtlSeconds)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"ttlSeconds must be between 1 and {MaxTtlSeconds}");
        }

        var own = await keys.FindAsync(caller.KeyId, cancellationToken)
            ?? throw new HandleException(ResponseCode.AuthenticationFailed, "the key was removed");
        var expiresAt = Math.Min(clock.GetUtcNow().ToUnixTimeSeconds() + ttl, own.ExpiresAt ?? long.MaxValue);
        var name = ("token of " + own.Name)[..Math.Min(AccessKeyStore.MaxNameLength, 9 + own.Name.Length)];
        // Tokens hang off the root key, so that revoking it revokes every token issued from it or from its tokens.
        var spec = new AccessKeyStore.KeySpec(name, own.Role, own.EnterpriseId, expiresAt, own.Identity, own.ParentKeyId ?? own.Id);
        var (token, secret) = await keys.IssueAsync(spec, cancellationToken);
        return Results.Ok(new { token = secret, tokenType = "Bearer", keyId = token.Id, expiresAt = DateTimeOffset.FromUnixTimeSeconds(expiresAt) });
    }

    /// <summary>The body is optional: none (or an empty one) asks for the default lifetime.</summary>
    private static async Task<int> RequestedTtlAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any())
        {
            return DefaultTtlSeconds;
        }

        using var body = await Http.RequestBody.ReadJsonAsync(request, cancellationToken);
        if (body.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            throw new HandleException(ResponseCode.InvalidValue, "the body must be an object such as {\"ttlSeconds\":3600}");
        }

        if (!body.RootElement.TryGetProperty("ttlSeconds", out var ttl))
        {
            return DefaultTtlSeconds;
        }

        return ttl.ValueKind == System.Text.Json.JsonValueKind.Number && ttl.TryGetInt32(out var seconds)
            ? seconds
            : throw new HandleException(ResponseCode.InvalidValue, "ttlSeconds must be an integer");
    }
}

using IdResolution.Core;
using IdResolution.Registry;
using IdResolution.Registry.Model;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Accounts;

/// <summary>
/// <c>POST /auth/token</c>: exchanges the caller's key (Bearer, or Handle-style Basic) for a short-lived bearer token
/// with the same rights, so that long-lived secrets stay in a vault while devices and scripts hold tokens.
/// A token is a key like any other (hashed, audited, revocable), dies with the key it came from, shares its rate
/// limit, and cannot mint tokens itself.
/// </summary>
public static class TokenEndpoints
{
    public const int DefaultTtlSeconds = 3600;
    public const int MaxTtlSeconds = 86_400;
    public const int MaxActiveTokens = 100;

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

        // Checked in the registry, not the credential cache: a key revoked a moment ago elsewhere mints nothing.
        var own = await keys.FindActiveAsync(caller.KeyId, cancellationToken)
            ?? throw new HandleException(ResponseCode.AuthenticationFailed, "the key is not valid (revoked or expired)");
        var (tokenId, secret, expiresAt) = await MintAsync(own, ttl, keys, clock, cancellationToken);
        return Results.Ok(new { token = secret, tokenType = "Bearer", keyId = tokenId, expiresAt = DateTimeOffset.FromUnixTimeSeconds(expiresAt) });
    }

    /// <summary>
    /// A token of <paramref name="own"/> (a key, not a token) for <paramref name="ttl"/> seconds, never past the key's
    /// expiry; at most <see cref="MaxActiveTokens"/> live per key; none from a key revoked while minting.
    /// </summary>
    public static async Task<(long Id, string Secret, long ExpiresAt)> MintAsync(AccessKey own, int ttl, AccessKeyStore keys, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (own.ParentKeyId is not null)
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, "a token cannot mint tokens; use the key it came from");
        }

        if (await keys.CountActiveTokensAsync(own.Id, cancellationToken) >= MaxActiveTokens)
        {
            throw new HandleException(ResponseCode.ServerTooBusy, $"this key already has {MaxActiveTokens} active tokens; revoke some or let them expire");
        }

        var expiresAt = Math.Min(clock.GetUtcNow().ToUnixTimeSeconds() + ttl, own.ExpiresAt ?? long.MaxValue);
        var spec = new AccessKeyStore.KeySpec(Shorten("token of " + own.Name), own.Role, own.EnterpriseId, expiresAt, own.Identity, own.Id);
        var (token, secret) = await keys.IssueAsync(spec, cancellationToken);
        if (await keys.FindActiveAsync(own.Id, cancellationToken) is null)
        {
            // The key was revoked while its token was being issued: the revocation may have missed the token.
            await keys.RevokeAsync(token.Id, cancellationToken);
            throw new HandleException(ResponseCode.AuthenticationFailed, "the key was revoked");
        }

        return (token.Id, secret, expiresAt);
    }

    /// <summary>A name cut to the limit, never inside a surrogate pair.</summary>
    private static string Shorten(string name)
    {
        if (name.Length <= AccessKeyStore.MaxNameLength)
        {
            return name;
        }

        var cut = AccessKeyStore.MaxNameLength;
        return char.IsHighSurrogate(name[cut - 1]) ? name[..(cut - 1)] : name[..cut];
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

using System.Text.Encodings.Web;
using IdResolution.Caching;
using IdResolution.Registry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the registry's hashed keys, for HTTP and gRPC alike.
/// Answers are cached briefly (<see cref="CredentialCache"/>): never past a key's expiry, and evicted on every
/// node when the key is revoked.
/// </summary>
public sealed class BearerKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CredentialCache credentials,
    TimeProvider clock,
    IServiceScopeFactory scopes)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string FailureItem = "idres.auth.failure";
    public const string UnavailableItem = "idres.auth.unavailable";
    private const int MaxKeyLength = 512;

    /// <summary>The cache entry of the key with this hash.</summary>
    public static string CacheKey(byte[] hash) => "key." + Convert.ToHexString(hash);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7 || header.Length > MaxKeyLength)
        {
            return Fail("the Authorization header must be 'Bearer <key>'");
        }

        var hash = AccessKeyStore.Hash(header[7..].Trim());
        CachedKey? key;
        try
        {
            key = await credentials.GetOrLoadAsync(CacheKey(hash), token => LookUpAsync(hash, token), Lifetime, Context.RequestAborted);
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            // The key cannot be checked: the caller is anonymous (resolves still work); writes answer 503.
            Context.Items[UnavailableItem] = true;
            return AuthenticateResult.NoResult();
        }

        if (key is null || key.ExpiresAt <= clock.GetUtcNow().ToUnixTimeSeconds())
        {
            return Fail("the bearer key is not valid (unknown, revoked or expired)");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(key.Caller.ToPrincipal(SchemeName), SchemeName));
    }

    private async Task<CachedKey?> LookUpAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var key = await scope.ServiceProvider.GetRequiredService<AccessKeyStore>().FindActiveAsync(hash, cancellationToken);
        return key is null ? null : new CachedKey(new Caller(key.Name, key.Role, key.Id, key.EnterpriseId), key.ExpiresAt ?? long.MaxValue);
    }

    /// <summary>A key is remembered no longer than it is valid.</summary>
    private TimeSpan Lifetime(CachedKey? key)
    {
        if (key is null || key.ExpiresAt == long.MaxValue)
        {
            return CredentialCache.MaxLifetime;
        }

        var left = key.ExpiresAt - clock.GetUtcNow().ToUnixTimeSeconds();
        return TimeSpan.FromSeconds(Math.Clamp(left, 0, (long)CredentialCache.MaxLifetime.TotalSeconds));
    }

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureItem] = reason;
        return AuthenticateResult.Fail(reason);
    }

    private sealed record CachedKey(Caller Caller, long ExpiresAt);
}

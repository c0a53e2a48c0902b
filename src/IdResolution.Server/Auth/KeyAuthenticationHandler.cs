using System.Text;
using System.Text.Encodings.Web;
using IdResolution.Caching;
using IdResolution.Core.Accounts;
using IdResolution.Registry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> (or Handle-style Basic with an admin identity) against the
/// registry's hashed keys, for HTTP and gRPC alike.
/// Answers are cached briefly (<see cref="CredentialCache"/>): never past a key's expiry, and evicted on every
/// node when the key is revoked.
/// </summary>
public sealed class KeyAuthenticationHandler(
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
    private const int MaxHeaderLength = 4096;

    /// <summary>The cache entry of the key with this hash.</summary>
    public static string CacheKey(byte[] hash) => "key." + Convert.ToHexString(hash);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (header.Length > MaxHeaderLength)
        {
            return Fail("the Authorization header is too long");
        }

        if (!TryReadCredentials(header, out var secret, out var identity, out var problem))
        {
            return Fail(problem);
        }

        var hash = AccessKeyStore.Hash(secret);
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
            return Fail("the key is not valid (unknown, revoked or expired)");
        }

        if (identity is not null && key.Caller.Identity != identity.Value.Key)
        {
            return Fail($"the secret is not the key of identity {identity}");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(key.Caller.ToPrincipal(SchemeName), SchemeName));
    }

    /// <summary>
    /// <c>Bearer &lt;key&gt;</c>, or the Handle REST style <c>Basic base64(urlencode(index:handle) ":" secret)</c> of a
    /// client written for Handle servers, whose secret is the key issued for that admin identity.
    /// </summary>
    private static bool TryReadCredentials(string header, out string secret, out AdminIdentity? identity, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        (secret, identity, problem) = ("", null, null);
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7)
        {
            secret = header[7..].Trim();
            return true;
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            problem = "the Authorization header must be 'Bearer <key>' or 'Basic <index:handle and secret>'";
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            problem = "the Basic credentials are not base64";
            return false;
        }

        // The user name should be URL-encoded (it holds a ':' itself); many clients send it as is, and keys never hold a ':'.
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        AdminIdentity parsed = default;
        string? error = "no user name";
        if (colon < 0
            || (!AdminIdentity.TryParse(Uri.UnescapeDataString(decoded[..colon]), out parsed, out error)
                && !AdminIdentity.TryParse(decoded[..(colon = decoded.LastIndexOf(':'))], out parsed, out _)))
        {
            problem = "the Basic user name must be the admin identity 'index:handle' (URL-encoded): " + error;
            return false;
        }

        (secret, identity) = (decoded[(colon + 1)..], parsed);
        return true;
    }

    private async Task<CachedKey?> LookUpAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var key = await scope.ServiceProvider.GetRequiredService<AccessKeyStore>().FindActiveAsync(hash, cancellationToken);
        return key is null ? null : new CachedKey(new Caller(key.Name, key.Role, key.Id, key.EnterpriseId, key.Identity, key.ParentKeyId), key.ExpiresAt ?? long.MaxValue);
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

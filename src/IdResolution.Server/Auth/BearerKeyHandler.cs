using System.Security.Claims;
using System.Text.Encodings.Web;
using IdResolution.Registry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against the registry's hashed keys, for HTTP and gRPC alike.
/// Lookups are cached briefly so that a busy writer does not cost a registry query per request.
/// </summary>
public sealed class BearerKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IMemoryCache cache,
    IServiceScopeFactory scopes)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string FailureItem = "idres.auth.failure";
    public const string UnavailableItem = "idres.auth.unavailable";
    private const int MaxKeyLength = 512;
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

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
        var cacheKey = "idres.key." + Convert.ToHexString(hash);
        if (!cache.TryGetValue(cacheKey, out ClaimsPrincipal? principal))
        {
            try
            {
                principal = await LookUpAsync(hash);
            }
            catch (Exception e) when (RegistryFailure.Is(e))
            {
                // The key cannot be checked: the caller is anonymous (resolves still work); writes answer 503.
                Context.Items[UnavailableItem] = true;
                return AuthenticateResult.NoResult();
            }

            cache.Set(cacheKey, principal, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = CacheFor, Size = 1 });
        }

        return principal is null ? Fail("the bearer key is not valid") : AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task<ClaimsPrincipal?> LookUpAsync(byte[] hash)
    {
        await using var scope = scopes.CreateAsyncScope();
        var key = await scope.ServiceProvider.GetRequiredService<AccessKeyStore>().FindActiveAsync(hash, Context.RequestAborted);
        if (key is null)
        {
            return null;
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), new Claim(ClaimTypes.Role, key.Role), new Claim("key_id", key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            SchemeName);
        return new ClaimsPrincipal(identity);
    }

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureItem] = reason;
        return AuthenticateResult.Fail(reason);
    }
}

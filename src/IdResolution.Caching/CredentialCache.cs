using ZiggyCreatures.Caching.Fusion;

namespace IdResolution.Caching;

/// <summary>
/// Recent credential checks, so that a busy writer does not cost a registry query per request. In memory on each
/// node; an eviction (a revoked key) reaches every node at once over the Redis backplane when Redis is configured.
/// No fail-safe: an entry is never kept past its lifetime, so an expired or revoked key never lingers.
/// </summary>
public sealed class CredentialCache(IFusionCacheProvider caches)
{
    public const string Name = "credentials";
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(30);

    private readonly IFusionCache _cache = caches.GetCache(Name);

    /// <summary>The cached answer for <paramref name="key"/>, or the loaded one, kept for what <paramref name="lifetime"/> says (at most <see cref="MaxLifetime"/>).</summary>
    public ValueTask<T?> GetOrLoadAsync<T>(string key, Func<CancellationToken, Task<T?>> load, Func<T?, TimeSpan> lifetime, CancellationToken cancellationToken) =>
        _cache.GetOrSetAsync<T?>(key, async (context, token) =>
        {
            var value = await load(token);
            var keep = lifetime(value);
            context.Options.Duration = keep < MaxLifetime ? keep : MaxLifetime;
            return value;
        }, token: cancellationToken);

    /// <summary>Forgets an answer here and, over the backplane, on every other node.</summary>
    public ValueTask EvictAsync(string key) =>
        _cache.RemoveAsync(key, o => o.SetSkipBackplaneNotifications(false));
}

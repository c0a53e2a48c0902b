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
    private static readonly TimeSpan SecondEvictionDelay = TimeSpan.FromMilliseconds(500);

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

    /// <summary>
    /// Forgets an answer here and, over the backplane, on every other node; then once more a moment later, for a
    /// lookup that read the old answer just before the change and stored it just after the first eviction.
    /// </summary>
    public async ValueTask EvictAsync(string key)
    {
        await _cache.RemoveAsync(key, o => o.SetSkipBackplaneNotifications(false));
        _ = EvictAgainAsync(key);
    }

    private async Task EvictAgainAsync(string key)
    {
        await Task.Delay(SecondEvictionDelay);
        try
        {
            await _cache.RemoveAsync(key, o => o.SetSkipBackplaneNotifications(false));
        }
        catch (Exception)
        {
            // FusionCache has logged it; the entry still expires within MaxLifetime.
        }
    }
}

using System.Diagnostics.Metrics;

namespace IdResolution.Caching;

/// <summary>
/// Cache instruments, by stable name. <c>idres.cache.lookups</c> counts resolves by the layer that answered
/// (<c>layer</c> = memory | redis | registry): L1 hits are the memory ones, L2 hits the redis ones, and
/// registry answers are misses of every layer. <c>idres.cache.evictions</c> counts L1 evictions for space or age.
/// </summary>
public sealed class CacheMetrics
{
    public const string MeterName = "IdResolution.Cache";

    private static readonly KeyValuePair<string, object?> Memory = new("layer", "memory");
    private static readonly KeyValuePair<string, object?> Redis = new("layer", "redis");
    private static readonly KeyValuePair<string, object?> Registry = new("layer", "registry");

    private readonly Counter<long> _lookups;
    private readonly Counter<long> _evictions;

    public CacheMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _lookups = meter.CreateCounter<long>("idres.cache.lookups", unit: "{lookup}", description: "Resolves, by the cache layer that answered.");
        _evictions = meter.CreateCounter<long>("idres.cache.evictions", unit: "{entry}", description: "Entries evicted from the in-process cache.");
    }

    public void Answered(CacheLayer layer) =>
        _lookups.Add(1, layer switch
        {
            CacheLayer.Memory => Memory,
            CacheLayer.Redis => Redis,
            _ => Registry,
        });

    public void Evicted() => _evictions.Add(1);
}

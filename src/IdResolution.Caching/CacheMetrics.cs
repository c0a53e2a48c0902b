using System.Diagnostics.Metrics;

namespace IdResolution.Caching;

/// <summary>
/// Cache instruments, by stable name. <c>idres.cache.lookups</c> counts resolves by the layer that answered
/// (<c>layer</c> = memory | redis | registry): L1 hits are the memory ones, L2 hits the redis ones, and
/// registry answers are misses of every layer. <c>idres.cache.entries</c> is how many entries L1 holds: at a plateau
/// with a falling L1 share of lookups, the budget is too small. (Evictions are not counted: counting them took a
/// callback registered on every entry, about 200 bytes each, 16% of the memory a million entries took.)
/// </summary>
public sealed class CacheMetrics
{
    public const string MeterName = "IdResolution.Cache";

    // Indexed by CacheLayer.
    private static readonly KeyValuePair<string, object?>[] LayerTags =
        [new("layer", "memory"), new("layer", "redis"), new("layer", "registry"), new("layer", "remote")];

    private static readonly KeyValuePair<string, object?> RedisSystem = new("db.system.name", "redis");
    private static readonly KeyValuePair<string, object?>[] RedisOperations =
    [
        new("db.operation.name", "get"),
        new("db.operation.name", "set"),
        new("db.operation.name", "refresh"),
        new("db.operation.name", "remove"),
    ];

    // Longs per 64-byte cache line: each layer's count has a line of its own.
    private const int Stride = 8;

    // Counted here and observed at each scrape: a Counter<long>.Add on every hot resolve (OpenTelemetry's tag lookup and
    // aggregation) took ~1% of its CPU, an interlocked add takes a fraction of that (bench/RESULTS.md, session 12).
    private readonly long[] _lookups = new long[LayerTags.Length * Stride];
    private readonly Histogram<double> _redisDuration;

    /// <param name="meters">The node's meters.</param>
    /// <param name="memoryEntries">How many entries the in-process cache holds now.</param>
    public CacheMetrics(IMeterFactory meters, Func<long> memoryEntries)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("idres.cache.entries", memoryEntries, unit: "{entry}", description: "Entries held in the in-process cache.");
        meter.CreateObservableCounter("idres.cache.lookups", ObserveLookups, unit: "{lookup}", description: "Resolves, by the cache layer that answered.");
        _redisDuration = meter.CreateHistogram(
            "db.client.operation.duration",
            unit: "s",
            description: "Duration of the node's calls to its Redis cache.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    /// <summary>Records one Redis call that took <paramref name="elapsed"/>.</summary>
    public void RedisCalled(RedisOperation operation, TimeSpan elapsed, Exception? error)
    {
        var seconds = elapsed.TotalSeconds;
        if (error is null)
        {
            _redisDuration.Record(seconds, RedisSystem, RedisOperations[(int)operation]);
        }
        else
        {
            _redisDuration.Record(seconds, RedisSystem, RedisOperations[(int)operation], new("error.type", error.GetType().Name));
        }
    }

    public void Answered(CacheLayer layer, int count = 1) => Interlocked.Add(ref _lookups[(int)layer * Stride], count);

    private Measurement<long>[] ObserveLookups()
    {
        var counts = new Measurement<long>[LayerTags.Length];
        for (var layer = 0; layer < counts.Length; layer++)
        {
            counts[layer] = new(Volatile.Read(ref _lookups[layer * Stride]), LayerTags[layer]);
        }

        return counts;
    }
}

namespace IdResolution.Caching;

/// <summary>Configuration section "Cache"; Redis itself is <c>ConnectionStrings:Redis</c> (absent: no L2).</summary>
public sealed class CacheOptions
{
    public const string Section = "Cache";

    /// <summary>Bytes the in-process cache (L1) may hold; entries are weighed by their size.</summary>
    public long MemoryBudgetBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Keep answers in process memory (L1). Off only to measure or diagnose the layers below.</summary>
    public bool Memory { get; set; } = true;

    /// <summary>Upper bound on how long a record is cached, whatever its values' TTLs say.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long "not found" and "not served here" answers are cached.</summary>
    public TimeSpan NegativeDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long past its lifetime a cached record may still be served while the registry is unavailable.</summary>
    public TimeSpan ServeStaleFor { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A write invalidates twice: at once, and again after this delay, to clear copies written by reads that
    /// started before the commit. A registry read slower than a quarter of it may have raced a write: it is cached
    /// for this delay only and never served stale.
    /// </summary>
    public TimeSpan SecondInvalidationDelay { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Longest wait for Redis on the resolve path before going on without it.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Redis key and channel prefix, so several node groups can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "idres:";
}

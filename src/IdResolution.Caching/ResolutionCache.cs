using System.Collections.Concurrent;
using System.Diagnostics;
using IdResolution.Core.Values;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace IdResolution.Caching;

/// <summary>
/// The resolve path's two cache levels, in-process (L1) over Redis (L2): one registry read per key however many callers
/// miss together, entries that live as long as the values' TTLs allow, stale answers while the registry is down, and
/// invalidations that reach every node through the Redis backplane. FusionCache does L2, the backplane, the shared
/// loads and negative answers (removed together by tag); found records are held in L1 here, in
/// <see cref="InProcessEntries"/>, with the fail-safe throttle and soft timeout FusionCache applies to its own.
/// Keys are normalised handles.
/// </summary>
public sealed partial class ResolutionCache
{
    private readonly IFusionCache _cache;
    private readonly InProcessEntries _entries;
    private readonly CacheOptions _options;
    private readonly CacheMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<ResolutionCache> _logger;
    private readonly FusionCacheEntryOptions _staleReadOptions;
    private readonly FusionCacheEntryOptions _memoryOnlyReadOptions;
    private readonly FusionCacheEntryOptions _invalidationOptions;
    private readonly FusionCacheEntryOptions _tagRemovalOptions;
    private readonly FusionCacheEntryOptions _remoteOptions;
    private readonly ConcurrentDictionary<string, SharedRead> _reading = new(StringComparer.Ordinal);
    private int _pendingInvalidations;

    public ResolutionCache(IFusionCache cache, InProcessEntries entries, IOptions<CacheOptions> options, CacheMetrics metrics, TimeProvider clock, ILogger<ResolutionCache> logger)
    {
        _cache = cache;
        _entries = entries;
        _options = options.Value;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _staleReadOptions = cache.DefaultEntryOptions.Duplicate().SetAllowStaleOnReadOnly(true);
        _memoryOnlyReadOptions = cache.DefaultEntryOptions.Duplicate().SetSkipDistributedCacheRead(true);
        _invalidationOptions = cache.DefaultEntryOptions.Duplicate().SetSkipBackplaneNotifications(false);
        // A tag's removal is itself an entry FusionCache must keep in memory (found records are not FusionCache's to keep).
        _tagRemovalOptions = _invalidationOptions.Duplicate().SetSize(256).SetSkipMemoryCacheWrite(!_options.Memory);
        _remoteOptions = cache.DefaultEntryOptions.Duplicate().SetFailSafe(false);
        CacheEventLog.Attach(cache, logger);
        // Another node's invalidation: its key leaves this node's found records too (negative answers are FusionCache's).
        cache.Events.Backplane.MessageReceived += (_, e) =>
        {
            if (e.Message.CacheKey is { } key)
            {
                _entries.Remove(key);
            }
        };
    }

    /// <summary>False when configured with neither memory nor Redis: every resolve then reads the registry.</summary>
    public bool Enabled => _options.Memory || _cache.HasDistributedCache;

    /// <summary>Second invalidations scheduled and not yet done.</summary>
    public int PendingInvalidations => Volatile.Read(ref _pendingInvalidations);

    /// <summary>
    /// The hot path: an answer held in this node's memory, found synchronously and without allocating.
    /// Null means "ask <see cref="GetOrLoadAsync"/>", which also looks in Redis and the registry.
    /// </summary>
    public CachedResolution? TryGetFromMemory(string key)
    {
        var memoryHits = 0;
        var hit = TryGetFromMemory(key, ref memoryHits);
        AnsweredFromMemory(memoryHits);
        return hit;
    }

    /// <summary>
    /// <see cref="TryGetFromMemory(string)"/> for a batch: a hit from memory is added to <paramref name="memoryHits"/>
    /// instead of being recorded, and the batch records them all with one <see cref="AnsweredFromMemory"/>.
    /// </summary>
    public CachedResolution? TryGetFromMemory(string key, ref int memoryHits)
    {
        var hit = _entries.TryGetFresh(key);
        if (hit is null)
        {
            var negative = _cache.TryGet<CachedResolution>(key, _memoryOnlyReadOptions);
            if (!negative.HasValue)
            {
                return null;
            }

            hit = negative.Value;
        }

        var origin = hit.TakeOrigin();
        if (origin == CacheLayer.Memory)
        {
            memoryHits++;
        }
        else
        {
            _metrics.Answered(origin);
        }

        return hit;
    }

    public void AnsweredFromMemory(int count)
    {
        if (count > 0)
        {
            _metrics.Answered(CacheLayer.Memory, count);
        }
    }

    /// <summary>
    /// The cached answer for a key, or the one <paramref name="load"/> reads (once, for all concurrent callers).
    /// <paramref name="cancellationToken"/> stops this caller's wait for a registry read (which goes on for the others);
    /// Redis is bounded by Cache:RedisTimeout.
    /// </summary>
    public async ValueTask<(CachedResolution Entry, CacheLayer Layer)> GetOrLoadAsync(
        string key, Func<CancellationToken, Task<CachedResolution>> load, CancellationToken cancellationToken)
    {
        if (_entries.TryGetFresh(key) is { } held)
        {
            return Answered(held);
        }

        var stale = _entries.TryGetStale(key);
        CachedResolution entry;
        try
        {
            // FusionCache gets no token: without one it waits on Redis without a timer and two token sources per call.
            var loading = _cache.GetOrSetAsync<CachedResolution>(key, (context, _) => LoadAsync(context, load, cancellationToken), token: CancellationToken.None);
            entry = stale is null ? await loading : await WithinSoftTimeoutAsync(key, loading.AsTask(), stale);
        }
        catch (Exception) when (stale is not null)
        {
            // The registry failed and FusionCache had nothing older to give (no Redis, or Redis without it).
            CacheEventLog.LogServedStale(_logger, key);
            _entries.ServeStaleFor(key, stale, _cache.DefaultEntryOptions.FailSafeThrottleDuration);
            return (stale, CacheLayer.Memory);
        }

        Hold(key, entry);
        return Answered(entry);
    }

    /// <summary>An answer, counted by the layer that gave it (memory from its second use on).</summary>
    private (CachedResolution Entry, CacheLayer Layer) Answered(CachedResolution entry)
    {
        var layer = entry.TakeOrigin();
        _metrics.Answered(layer);
        return (entry, layer);
    }

    /// <summary>
    /// A registry read slower than FusionCache's soft timeout answers with the stale record meanwhile (which the caller
    /// then holds for the fail-safe throttle); the read goes on, and its record replaces the stale one when it ends.
    /// </summary>
    private async Task<CachedResolution> WithinSoftTimeoutAsync(string key, Task<CachedResolution> loading, CachedResolution stale)
    {
        if (await Task.WhenAny(loading, Task.Delay(_cache.DefaultEntryOptions.FactorySoftTimeout, _clock)) == loading)
        {
            return await loading;
        }

        CacheEventLog.LogSlowLoad(_logger, key);
        _ = loading.ContinueWith(done => Hold(key, done.Result), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        return stale;
    }

    /// <summary>
    /// Keeps a found record in this node's memory for what is left of its lifetime; one whose lifetime has passed is a
    /// stale answer FusionCache served from Redis during an outage, kept for the fail-safe throttle like FusionCache's own.
    /// </summary>
    private void Hold(string key, CachedResolution entry)
    {
        if (!_options.Memory || !entry.Found || entry.FreshUntilUtcTicks == 0)
        {
            return;
        }

        var left = TimeSpan.FromTicks(entry.FreshUntilUtcTicks - _clock.GetUtcNow().UtcTicks);
        var staleFor = entry.MayServeStale ? _options.ServeStaleFor : TimeSpan.Zero;
        if (left <= TimeSpan.Zero)
        {
            staleFor += left;
            left = staleFor > TimeSpan.Zero ? _cache.DefaultEntryOptions.FailSafeThrottleDuration : TimeSpan.Zero;
        }

        _entries.Set(key, entry, left, staleFor);
    }

    /// <summary>Marks an answer with the lifetime it is cached for, which this node's memory holds it by.</summary>
    private void Stamp(CachedResolution entry, TimeSpan lifetime, bool mayServeStale)
    {
        entry.FreshUntilUtcTicks = _clock.GetUtcNow().UtcTicks + lifetime.Ticks;
        entry.MayServeStale = mayServeStale;
    }

    /// <summary>
    /// Another site's answer, kept for its values' TTL (a "not found" or "no values" for <paramref name="negativeFor"/>)
    /// and never served past it: no fail-safe, since this node cannot know whether the other site changed it.
    /// </summary>
    public async ValueTask<(CachedResolution Entry, CacheLayer Layer)> GetOrLoadRemoteAsync(
        string key, Func<CancellationToken, Task<CachedResolution>> load, TimeSpan negativeFor, CancellationToken cancellationToken)
    {
        if (_entries.TryGetFresh(key) is { } held)
        {
            return Answered(held);
        }

        var entry = await _cache.GetOrSetAsync<CachedResolution>(key, async (context, token) =>
        {
            // One request to the other node per key at a time, however many callers miss together.
            var loaded = await Share(context.Key, load).Read.WaitAsync(token);
            var lifetime = loaded.Found ? Lifetime(loaded) : negativeFor;
            context.Options.Duration = lifetime;
            context.Options.Size = loaded.EstimatedBytes();
            // Found answers are held by ResolutionCache itself (InProcessEntries), negative ones by FusionCache.
            context.Options.SkipMemoryCacheWrite = !_options.Memory || lifetime <= TimeSpan.Zero || loaded.Found;
            context.Options.SkipDistributedCacheWrite |= lifetime <= TimeSpan.Zero;
            Stamp(loaded, lifetime, mayServeStale: false);
            return loaded;
        }, _remoteOptions, cancellationToken);
        Hold(key, entry);
        return Answered(entry);
    }

    /// <summary>A cached answer without loading; with <paramref name="allowStale"/>, also one past its lifetime (for registry outages).</summary>
    public async ValueTask<CachedResolution?> TryGetAsync(string key, bool allowStale, CancellationToken cancellationToken)
    {
        // A stale slot answers too: TryGetStale takes any record within its stale time, fresh or not.
        if ((allowStale ? _entries.TryGetStale(key) : _entries.TryGetFresh(key)) is { } held)
        {
            return Answered(held).Entry;
        }

        var maybe = await _cache.TryGetAsync<CachedResolution>(key, allowStale ? _staleReadOptions : null, cancellationToken);
        if (!maybe.HasValue)
        {
            return null;
        }

        Hold(key, maybe.Value);
        return Answered(maybe.Value).Entry;
    }

    /// <summary>Caches an answer loaded outside <see cref="GetOrLoadAsync"/> (batch loads) that started at <paramref name="loadStarted"/>.</summary>
    public async ValueTask StoreAsync(string key, CachedResolution entry, long loadStarted, CancellationToken cancellationToken)
    {
        _metrics.Answered(entry.TakeOrigin());
        if (Cacheable(entry, loadStarted, out var lifetime, out var mayHaveRaced))
        {
            Stamp(entry, lifetime, !mayHaveRaced);
            await _cache.SetAsync(
                key, entry, o => o.SetDuration(lifetime).SetSize(entry.EstimatedBytes()).SetFailSafe(!mayHaveRaced).SetSkipMemoryCacheWrite(entry.Found || !_options.Memory),
                entry.Found ? null : NegativeTags, cancellationToken);
            Hold(key, entry);
        }
    }

    /// <summary>
    /// Drops a key from this node's memory, from Redis, and (through the backplane) from every other node's
    /// memory; then does it again after <see cref="CacheOptions.SecondInvalidationDelay"/> for reads that raced the write.
    /// </summary>
    public async Task InvalidateAsync(string key, CancellationToken cancellationToken)
    {
        await RemoveEverywhereAsync(key, cancellationToken);
        Interlocked.Increment(ref _pendingInvalidations);
        _ = AgainLaterAsync(key, () => RemoveEverywhereAsync(key, CancellationToken.None));
    }

    /// <summary>The key out of this node's found records (before and after, for a load landing meanwhile), FusionCache and Redis.</summary>
    private async ValueTask RemoveEverywhereAsync(string key, CancellationToken cancellationToken)
    {
        _entries.Remove(key);
        await _cache.RemoveAsync(key, _invalidationOptions, cancellationToken);
        _entries.Remove(key);
    }

    /// <summary>A second invalidation after <see cref="CacheOptions.SecondInvalidationDelay"/>, counted while pending.</summary>
    private async Task AgainLaterAsync(string what, Func<ValueTask> invalidate)
    {
        try
        {
            await Task.Delay(_options.SecondInvalidationDelay, _clock);
            await invalidate();
        }
        catch (Exception e)
        {
            LogSecondInvalidationFailed(_logger, what, e);
        }
        finally
        {
            Interlocked.Decrement(ref _pendingInvalidations);
        }
    }

    /// <summary>
    /// Drops every cached "not registered" answer, on every node: after a bulk import, whose rows are too many to
    /// invalidate one by one, so that what it registered resolves at once. Found answers are untouched.
    /// </summary>
    public async Task InvalidateNegativesAsync(CancellationToken cancellationToken) =>
        // The tag's expiry is itself a small cache entry, so it needs a size under the memory budget.
        await _cache.RemoveByTagAsync(NegativeTag, _tagRemovalOptions, cancellationToken);

    /// <summary>
    /// Drops cached "not registered" answers again after <see cref="CacheOptions.SecondInvalidationDelay"/>, for
    /// resolves that read the registry before an import's commit and cached their answer after the first drop.
    /// </summary>
    public void InvalidateNegativesAgainLater()
    {
        Interlocked.Increment(ref _pendingInvalidations);
        _ = AgainLaterAsync(NegativeTag, () => _cache.RemoveByTagAsync(NegativeTag, _tagRemovalOptions));
    }

    private const string NegativeTag = "negative";

    private static readonly string[] NegativeTags = [NegativeTag];

    private async Task<CachedResolution> LoadAsync(
        FusionCacheFactoryExecutionContext<CachedResolution> context, Func<CancellationToken, Task<CachedResolution>> load, CancellationToken cancellationToken)
    {
        // Timed from the shared read's start, which may be earlier than this caller's.
        var (read, started) = Share(context.Key, load);
        var entry = await read.WaitAsync(cancellationToken);
        if (Cacheable(entry, started, out var lifetime, out var mayHaveRaced))
        {
            context.Options.Duration = lifetime;
            context.Options.Size = entry.EstimatedBytes();
            context.Options.IsFailSafeEnabled &= !mayHaveRaced;
            Stamp(entry, lifetime, !mayHaveRaced);
            if (entry.Found)
            {
                // Held in this node's memory by ResolutionCache itself (InProcessEntries), not by FusionCache.
                context.Options.SkipMemoryCacheWrite = true;
            }
            else
            {
                context.Options.SkipMemoryCacheWrite = !_options.Memory;
                context.Tags = NegativeTags;
            }
        }
        else
        {
            context.Options.SkipMemoryCacheWrite = true;
            context.Options.SkipDistributedCacheWrite = true;
        }

        return entry;
    }

    /// <summary>A registry read in progress and when it started.</summary>
    private readonly record struct SharedRead(Task<CachedResolution> Read, long Started);

    /// <summary>
    /// One registry read per key at a time, shared by every caller that needs it. FusionCache's per-key lock
    /// already does this for answers it caches; this also covers answers that may not be cached (TTL 0), whose
    /// waiters would otherwise each read in turn once the lock times out or is released.
    /// </summary>
    private SharedRead Share(string key, Func<CancellationToken, Task<CachedResolution>> load)
    {
        while (true)
        {
            if (_reading.TryGetValue(key, out var running))
            {
                return running;
            }

            var read = new TaskCompletionSource<CachedResolution>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shared = new SharedRead(read.Task, Stopwatch.GetTimestamp());
            if (_reading.TryAdd(key, shared))
            {
                _ = ReadAsync(key, load, read, shared);
                return shared;
            }
        }
    }

    private async Task ReadAsync(string key, Func<CancellationToken, Task<CachedResolution>> load, TaskCompletionSource<CachedResolution> read, SharedRead shared)
    {
        try
        {
            // Not the caller's token: other callers share this read. Command timeouts bound it.
            read.SetResult(await load(CancellationToken.None));
        }
        catch (Exception e)
        {
            LogLoadFailed(_logger, key, e);
            read.SetException(e);
        }
        finally
        {
            _reading.TryRemove(new KeyValuePair<string, SharedRead>(key, shared));
        }
    }

    /// <summary>
    /// Not cacheable: a TTL of 0 ("never cache"). A read slower than a quarter of the second invalidation's delay
    /// <paramref name="mayHaveRaced"/> a write: it may be older than the write, and its copy may reach the caches after
    /// that second invalidation. It is kept for that delay only, and never served stale (no fail-safe), so nothing
    /// outlives the delay; kept at all, so that a slow registry still has repeats taken off it.
    /// </summary>
    private bool Cacheable(CachedResolution entry, long readStarted, out TimeSpan lifetime, out bool mayHaveRaced)
    {
        lifetime = Lifetime(entry);
        mayHaveRaced = Stopwatch.GetElapsedTime(readStarted) >= _options.SecondInvalidationDelay / 4;
        if (mayHaveRaced && lifetime > _options.SecondInvalidationDelay)
        {
            lifetime = _options.SecondInvalidationDelay;
        }

        return lifetime > TimeSpan.Zero;
    }

    private TimeSpan Lifetime(CachedResolution entry)
    {
        if (!entry.Found)
        {
            return _options.NegativeDuration;
        }

        var max = (long)_options.MaxDuration.TotalSeconds;
        var seconds = CacheLifetime.Seconds(entry.ValuesForLifetime(), _clock.GetUtcNow().ToUnixTimeSeconds(), max);
        return TimeSpan.FromSeconds(CacheLifetime.Spread(Math.Min(seconds, max), Random.Shared));
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Reading {Key} for the cache failed: it is answered stale if it was cached, else as unavailable")]
    private static partial void LogLoadFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Second invalidation of {Key} failed")]
    private static partial void LogSecondInvalidationFailed(ILogger logger, string key, Exception exception);
}

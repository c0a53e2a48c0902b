using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace IdResolution.Caching;

/// <summary>
/// The L2 cache as FusionCache calls it, timed: every Redis call is recorded in <c>db.client.operation.duration</c>
/// (OpenTelemetry's database client convention, <c>db.system.name</c> = redis), so operators see Redis latency and
/// failures beside the registry's (Npgsql reports its own under the same name). Failures are also logged, and calls
/// slower than <c>slow</c> (<c>Cache:RedisTimeout</c>, past which the cache stopped waiting for them).
/// </summary>
public sealed partial class TimedDistributedCache(IDistributedCache inner, CacheMetrics metrics, ILogger<TimedDistributedCache> logger, TimeSpan slow) : IDistributedCache
{
    public byte[]? Get(string key) => Timed(() => inner.Get(key), RedisOperation.Get);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        TimedAsync(() => inner.GetAsync(key, token), RedisOperation.Get);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        Timed(() => { inner.Set(key, value, options); return true; }, RedisOperation.Set);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        TimedAsync(() => inner.SetAsync(key, value, options, token), RedisOperation.Set);

    public void Refresh(string key) => Timed(() => { inner.Refresh(key); return true; }, RedisOperation.Refresh);

    public Task RefreshAsync(string key, CancellationToken token = default) =>
        TimedAsync(() => inner.RefreshAsync(key, token), RedisOperation.Refresh);

    public void Remove(string key) => Timed(() => { inner.Remove(key); return true; }, RedisOperation.Remove);

    public Task RemoveAsync(string key, CancellationToken token = default) =>
        TimedAsync(() => inner.RemoveAsync(key, token), RedisOperation.Remove);

    private T Timed<T>(Func<T> call, RedisOperation operation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = call();
            Completed(operation, started);
            return result;
        }
        catch (Exception e)
        {
            Failed(operation, started, e);
            throw;
        }
    }

    private Task TimedAsync(Func<Task> call, RedisOperation operation) =>
        TimedAsync(async () =>
        {
            await call();
            return true;
        }, operation);

    private async Task<T> TimedAsync<T>(Func<Task<T>> call, RedisOperation operation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call();
            Completed(operation, started);
            return result;
        }
        catch (Exception e)
        {
            Failed(operation, started, e);
            throw;
        }
    }

    private void Completed(RedisOperation operation, long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.RedisCalled(operation, elapsed, null);
        if (elapsed > slow)
        {
            LogSlow(logger, operation, elapsed.TotalMilliseconds);
        }
    }

    private void Failed(RedisOperation operation, long started, Exception error)
    {
        metrics.RedisCalled(operation, Stopwatch.GetElapsedTime(started), error);
        // A caller that gave up is not a Redis failure.
        if (error is not OperationCanceledException)
        {
            LogFailed(logger, operation, error);
        }
    }

    [LoggerMessage(EventId = 317, Level = LogLevel.Warning, Message = "Redis (L2) {Operation} took {Milliseconds} ms, past Cache:RedisTimeout: the cache did not wait for it")]
    private static partial void LogSlow(ILogger logger, RedisOperation operation, double milliseconds);

    [LoggerMessage(EventId = 315, Level = LogLevel.Warning, Message = "Redis (L2) {Operation} failed")]
    private static partial void LogFailed(ILogger logger, RedisOperation operation, Exception exception);
}

/// <summary>The L2 operations, named as <c>db.operation.name</c> reports them.</summary>
public enum RedisOperation
{
    Get,
    Set,
    Refresh,
    Remove,
}

using Microsoft.Extensions.Logging;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Events;

namespace IdResolution.Caching;

/// <summary>
/// What the resolution cache has to tell operators, logged from FusionCache's events. FusionCache itself runs without
/// a logger: with one it makes an operation id (a new string and a shared counter) on every call, which on the
/// L1-hit path was the only allocation left and, in a batch, a contended write per identifier. Redis failures are
/// logged with their exception where the cache calls Redis (<see cref="TimedDistributedCache"/>).
/// </summary>
public static partial class CacheEventLog
{
    public static void Attach(IFusionCache cache, ILogger logger)
    {
        cache.Events.Distributed.CircuitBreakerChange += (_, e) => CircuitChanged(logger, "Redis (L2)", e);
        cache.Events.Backplane.CircuitBreakerChange += (_, e) => CircuitChanged(logger, "the Redis backplane", e);
        cache.Events.Distributed.SerializationError += (_, e) => LogSerialization(logger, "store", e.Key);
        cache.Events.Distributed.DeserializationError += (_, e) => LogSerialization(logger, "read", e.Key);
        cache.Events.FailSafeActivate += (_, e) => LogServedStale(logger, e.Key);
        cache.Events.FactorySyntheticTimeout += (_, e) => LogSlowLoad(logger, e.Key);
    }

    private static void CircuitChanged(ILogger logger, string part, FusionCacheCircuitBreakerChangeEventArgs e)
    {
        if (e.IsClosed)
        {
            LogReachable(logger, part);
        }
        else
        {
            LogUnreachable(logger, part);
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Calls to {Part} failed: it is skipped for a while, resolves go on from memory and the registry")]
    private static partial void LogUnreachable(ILogger logger, string part);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "{Part} is used again")]
    private static partial void LogReachable(ILogger logger, string part);

    [LoggerMessage(EventId = 312, Level = LogLevel.Error, Message = "Could not {Operation} the cached answer of {Key} in Redis: it is read from the registry instead")]
    private static partial void LogSerialization(ILogger logger, string operation, string key);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "Served a stale answer for {Key}: the registry could not be read")]
    private static partial void LogServedStale(ILogger logger, string key);

    [LoggerMessage(EventId = 314, Level = LogLevel.Warning, Message = "The registry read of {Key} is slow: callers got the stale answer meanwhile")]
    private static partial void LogSlowLoad(ILogger logger, string key);
}

using Microsoft.Extensions.Logging;
using ZiggyCreatures.Caching.Fusion;

namespace IdResolution.Caching;

/// <summary>
/// What the resolution cache has to tell operators, logged from FusionCache's events. FusionCache itself runs without
/// a logger: with one it makes an operation id (a new string and a shared counter) on every call, which on the
/// L1-hit path was the only allocation left and, in a batch, a contended write per identifier. Failed and slow Redis
/// calls are logged with their exception where the cache calls Redis (<see cref="TimedDistributedCache"/>), failed
/// loads where they run (<see cref="ResolutionCache"/>).
/// </summary>
public static partial class CacheEventLog
{
    public static void Attach(IFusionCache cache, ILogger logger)
    {
        cache.Events.Distributed.CircuitBreakerChange += (_, e) => BreakerChanged(logger, e.IsClosed, "Redis (L2)", LogL2Skipped);
        cache.Events.Backplane.CircuitBreakerChange += (_, e) => BreakerChanged(logger, e.IsClosed, "The Redis backplane", LogBackplaneSkipped);
        cache.Events.Distributed.SerializationError += (_, e) => LogSerialization(logger, "store", e.Key);
        cache.Events.Distributed.DeserializationError += (_, e) => LogSerialization(logger, "read", e.Key);
        cache.Events.FailSafeActivate += (_, e) => LogServedStale(logger, e.Key);
        cache.Events.FactorySyntheticTimeout += (_, e) => LogSlowLoad(logger, e.Key);
    }

    /// <summary>A breaker closes when its time is up, not when Redis answers: "tried again", and a failure opens it again.</summary>
    private static void BreakerChanged(ILogger logger, bool closed, string part, Action<ILogger> logSkipped)
    {
        if (closed)
        {
            LogTriedAgain(logger, part);
        }
        else
        {
            logSkipped(logger);
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "A call to Redis (L2) failed: Redis is skipped for a while, resolves go on from memory and the registry")]
    private static partial void LogL2Skipped(ILogger logger);

    [LoggerMessage(EventId = 316, Level = LogLevel.Warning, Message = "The Redis backplane failed: it is skipped for a while, and invalidations between nodes do not pass meanwhile (other nodes' copies live at most Cache:MaxDuration)")]
    private static partial void LogBackplaneSkipped(ILogger logger);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "{Part} is tried again")]
    private static partial void LogTriedAgain(ILogger logger, string part);

    [LoggerMessage(EventId = 312, Level = LogLevel.Error, Message = "Could not {Operation} the cached answer of {Key} in Redis")]
    private static partial void LogSerialization(ILogger logger, string operation, string key);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "Served a stale answer for {Key}: the registry could not be read")]
    internal static partial void LogServedStale(ILogger logger, string key);

    [LoggerMessage(EventId = 314, Level = LogLevel.Warning, Message = "The registry read of {Key} is slow: callers got the stale answer meanwhile")]
    internal static partial void LogSlowLoad(ILogger logger, string key);
}

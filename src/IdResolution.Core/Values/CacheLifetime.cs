namespace IdResolution.Core.Values;

/// <summary>How long a resolved record may be cached, from the TTLs of its values (RFC 3651 section 3.1).</summary>
public static class CacheLifetime
{
    /// <summary>
    /// The smallest TTL among the values, in seconds: relative TTLs count from now, absolute ones until their
    /// expiry time. 0 means the record must not be cached (a value has TTL 0 or has expired).
    /// A record without values may be cached for <paramref name="whenNoValues"/>.
    /// </summary>
    public static long Seconds(IReadOnlyList<HandleValue> values, long nowUnixSeconds, long whenNoValues)
    {
        if (values.Count == 0)
        {
            return whenNoValues;
        }

        var lifetime = long.MaxValue;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            var ttl = value.TtlType == TtlType.Absolute ? Math.Max(0, value.Ttl - nowUnixSeconds) : value.Ttl;
            lifetime = Math.Min(lifetime, ttl);
        }

        return lifetime;
    }

    /// <summary>
    /// <paramref name="seconds"/> made up to a tenth shorter at random, never longer: records cached together (a
    /// warm-up, a sweep, a restart's first minutes) would otherwise all expire together, and their reloads reach Redis
    /// and the registry at once, on the requests that find them expired.
    /// </summary>
    public static long Spread(long seconds, Random random) =>
        seconds <= 0 ? seconds : seconds - random.NextInt64((seconds / 10) + 1);
}

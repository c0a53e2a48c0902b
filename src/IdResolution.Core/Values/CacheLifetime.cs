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
}

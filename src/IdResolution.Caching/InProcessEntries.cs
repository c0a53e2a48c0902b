using System.Collections.Concurrent;

namespace IdResolution.Caching;

/// <summary>
/// L1 for found records: each key maps to one small slot that carries the record and its own lifetimes. FusionCache's
/// memory level held the same record behind a <c>MemoryCache</c> entry, its own entry and that entry's fail-safe
/// metadata: 320 bytes and four objects per record, and a lookup over 100,000 records at random took 933 ns against a
/// bare dictionary's 163 (bench/RESULTS.md, session 16). Negative answers stay in FusionCache's memory level, whose
/// tags remove them all at once.
/// </summary>
public sealed class InProcessEntries
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly long _budgetBytes;
    private long _bytes;
    private int _compacting;

    /// <param name="budgetBytes">What the slots may weigh (<see cref="CachedResolution.EstimatedBytes"/>) before the least recently used go.</param>
    /// <param name="clock">Lifetimes and last uses are its timestamps.</param>
    public InProcessEntries(long budgetBytes, TimeProvider clock)
    {
        _budgetBytes = budgetBytes;
        _clock = clock;
    }

    public int Count => _slots.Count;

    /// <summary>Bytes the held slots weigh.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>The record for a key while it is fresh; null when absent or past its lifetime.</summary>
    public CachedResolution? TryGetFresh(string key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            return null;
        }

        var now = _clock.GetTimestamp();
        if (now >= Volatile.Read(ref slot.FreshUntil))
        {
            return null;
        }

        // Written at most once a second: a hot key read on every core would otherwise bounce its slot between them.
        if (now - slot.LastUsed > _clock.TimestampFrequency)
        {
            slot.LastUsed = now;
        }

        return slot.Entry;
    }

    /// <summary>The record for a key past its lifetime but within the time it may still be served while the registry is down.</summary>
    public CachedResolution? TryGetStale(string key) =>
        _slots.TryGetValue(key, out var slot) && _clock.GetTimestamp() < slot.StaleUntil ? slot.Entry : null;

    /// <summary>
    /// Holds a record for <paramref name="freshFor"/>, and for <paramref name="staleFor"/> after that as a stale answer
    /// for registry outages (zero: never served stale).
    /// </summary>
    public void Set(string key, CachedResolution entry, TimeSpan freshFor, TimeSpan staleFor)
    {
        if (freshFor <= TimeSpan.Zero)
        {
            Remove(key);
            return;
        }

        var now = _clock.GetTimestamp();
        var freshUntil = now + Ticks(freshFor);
        var slot = new Slot(entry, freshUntil, freshUntil + Ticks(staleFor), entry.EstimatedBytes(), now);
        while (!TryPut(key, slot))
        {
        }

        if (Volatile.Read(ref _bytes) > _budgetBytes)
        {
            CompactInBackground();
        }
    }

    /// <summary>Serves a stale record as fresh for a short while, so that an outage is not asked again on every resolve.</summary>
    public void ServeStaleFor(string key, CachedResolution entry, TimeSpan throttle)
    {
        if (_slots.TryGetValue(key, out var slot) && ReferenceEquals(slot.Entry, entry))
        {
            Volatile.Write(ref slot.FreshUntil, Math.Min(slot.StaleUntil, _clock.GetTimestamp() + Ticks(throttle)));
        }
    }

    public void Remove(string key)
    {
        if (_slots.TryRemove(key, out var slot))
        {
            Interlocked.Add(ref _bytes, -slot.Size);
        }
    }

    /// <summary>Drops the slots past their stale time, and the least recently used while over budget: down to 90% of it.</summary>
    public void Compact()
    {
        var now = _clock.GetTimestamp();
        foreach (var (key, slot) in _slots)
        {
            if (now >= slot.StaleUntil)
            {
                RemoveSlot(key, slot);
            }
        }

        var target = _budgetBytes / 10 * 9;
        if (Volatile.Read(ref _bytes) <= target)
        {
            return;
        }

        var threshold = LeastRecentlyUsedThreshold(Volatile.Read(ref _bytes) - target);
        foreach (var (key, slot) in _slots)
        {
            if (slot.LastUsed <= threshold)
            {
                RemoveSlot(key, slot);
            }
        }
    }

    private void CompactInBackground()
    {
        if (Interlocked.CompareExchange(ref _compacting, 1, 0) == 0)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    Compact();
                }
                finally
                {
                    Volatile.Write(ref _compacting, 0);
                }
            });
        }
    }

    /// <summary>The last-use time at or before which the slots weigh at least <paramref name="excess"/> bytes.</summary>
    private long LeastRecentlyUsedThreshold(long excess)
    {
        var uses = new List<(long LastUsed, int Size)>(_slots.Count);
        foreach (var (_, slot) in _slots)
        {
            uses.Add((slot.LastUsed, slot.Size));
        }

        uses.Sort(static (a, b) => a.LastUsed.CompareTo(b.LastUsed));
        long freed = 0;
        foreach (var (lastUsed, size) in uses)
        {
            freed += size;
            if (freed >= excess)
            {
                return lastUsed;
            }
        }

        return long.MaxValue;
    }

    private void RemoveSlot(string key, Slot slot)
    {
        if (_slots.TryRemove(new KeyValuePair<string, Slot>(key, slot)))
        {
            Interlocked.Add(ref _bytes, -slot.Size);
        }
    }

    private bool TryPut(string key, Slot slot)
    {
        if (_slots.TryGetValue(key, out var old))
        {
            if (!_slots.TryUpdate(key, slot, old))
            {
                return false;
            }

            Interlocked.Add(ref _bytes, slot.Size - old.Size);
            return true;
        }

        if (!_slots.TryAdd(key, slot))
        {
            return false;
        }

        Interlocked.Add(ref _bytes, slot.Size);
        return true;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _clock.TimestampFrequency);

    /// <summary>One held record. Its times are <see cref="TimeProvider.GetTimestamp"/> values.</summary>
    private sealed class Slot(CachedResolution entry, long freshUntil, long staleUntil, long size, long lastUsed)
    {
        public readonly CachedResolution Entry = entry;
        public readonly long StaleUntil = staleUntil;
        public readonly int Size = (int)Math.Min(size, int.MaxValue);
        public long FreshUntil = freshUntil;
        public long LastUsed = lastUsed;
    }
}

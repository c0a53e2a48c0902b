using System.Collections.Concurrent;
using IdResolution.Core.Handles;
using IdResolution.Registry;

namespace IdResolution.Server.Statistics;

/// <summary>
/// Per-prefix counts of resolutions and writes not yet flushed to the registry, kept per UTC day: counts go to
/// the current day's bucket, which <see cref="Roll"/> moves on at midnight (checked every flush, so at most one
/// flush interval of traffic lands on the day before). Counting a resolve is a dictionary lookup by the prefix
/// part of the key (no allocation) and interlocked adds. Only prefixes this node serves are counted, so names
/// under made-up prefixes cannot grow the table.
/// </summary>
public sealed class PrefixCounters : IHandleWriteListener
{
    private readonly ConcurrentDictionary<int, Day> _days = new();
    private Day _today;

    public PrefixCounters(TimeProvider clock)
    {
        _today = new Day(StatisticsFlusher.Today(clock));
        _days[_today.Number] = _today;
    }

    /// <summary>Moves counting on to <paramref name="day"/> when it differs from the current day.</summary>
    public void Roll(int day)
    {
        if (day != Volatile.Read(ref _today).Number)
        {
            Volatile.Write(ref _today, _days.GetOrAdd(day, d => new Day(d)));
        }
    }

    /// <summary>A resolve of <paramref name="handleKey"/> (a normalised handle under a served prefix).</summary>
    public void Resolved(string handleKey, long count = 1)
    {
        var counts = Volatile.Read(ref _today).For(handleKey.AsSpan(0, handleKey.IndexOf('/', StringComparison.Ordinal)));
        Interlocked.Add(ref counts.Resolutions, count);
        Interlocked.Add(ref counts.ResolutionsToday, count);
    }

    /// <summary>
    /// Resolves of a batch, counted per run of names under one prefix (a batch's names mostly share one): one count
    /// per run instead of two interlocked adds per name, which the cores otherwise contend for. <see cref="Flush"/>
    /// counts the last run. A ref struct: a copy would lose counts, so it cannot be made one.
    /// </summary>
    public ref struct Run(PrefixCounters counters)
    {
        private string? _key;
        private int _prefixLength;
        private long _count;

        public void Add(string handleKey)
        {
            var prefixLength = handleKey.IndexOf('/', StringComparison.Ordinal);
            if (_count > 0 && prefixLength == _prefixLength && handleKey.AsSpan(0, prefixLength).SequenceEqual(_key.AsSpan(0, prefixLength)))
            {
                _count++;
                return;
            }

            Flush();
            _key = handleKey;
            _prefixLength = prefixLength;
            _count = 1;
        }

        public void Flush()
        {
            if (_count > 0)
            {
                counters.Resolved(_key!, _count);
                _count = 0;
            }
        }
    }

    /// <summary>Registrations made in bulk (an import batch), counted under their stored prefix.</summary>
    public void Registered(string prefixKey, long count) =>
        Interlocked.Add(ref Volatile.Read(ref _today).For(prefixKey).Registrations, count);

    public Task HandleWrittenAsync(HandleName name, HandleChange change, CancellationToken cancellationToken)
    {
        var counts = Volatile.Read(ref _today).For(name.Prefix.Key);
        switch (change)
        {
            case HandleChange.Created:
                Interlocked.Increment(ref counts.Registrations);
                break;
            case HandleChange.Updated:
                Interlocked.Increment(ref counts.Updates);
                break;
            case HandleChange.AliasesChanged:
                break;
            default:
                Interlocked.Increment(ref counts.Deletions);
                break;
        }

        return Task.CompletedTask;
    }

    /// <summary>The prefixes this node resolved most today, most first.</summary>
    public List<(string Prefix, long Resolutions)> Top(int count)
    {
        var all = new List<(string Prefix, long Resolutions)>();
        foreach (var (prefix, counts) in Volatile.Read(ref _today).Counts)
        {
            all.Add((prefix, Interlocked.Read(ref counts.ResolutionsToday)));
        }

        all.Sort((a, b) => b.Resolutions.CompareTo(a.Resolutions));
        return all.Count > count ? all.GetRange(0, count) : all;
    }

    /// <summary>Takes every count gathered so far (leaving zeros), each as a delta of its own day; past days are dropped once taken.</summary>
    public List<StatisticsDelta> Take()
    {
        var deltas = new List<StatisticsDelta>();
        var today = Volatile.Read(ref _today);
        foreach (var (number, day) in _days)
        {
            if (day != today)
            {
                _days.TryRemove(number, out _);
            }

            foreach (var (prefix, counts) in day.Counts)
            {
                var delta = new StatisticsDelta(prefix, number,
                    Interlocked.Exchange(ref counts.Resolutions, 0), Interlocked.Exchange(ref counts.Registrations, 0),
                    Interlocked.Exchange(ref counts.Updates, 0), Interlocked.Exchange(ref counts.Deletions, 0));
                if (delta.Resolutions + delta.Registrations + delta.Updates + delta.Deletions > 0)
                {
                    deltas.Add(delta);
                }
            }
        }

        return deltas;
    }

    /// <summary>Puts back deltas that could not be stored, on their own day, to be flushed with the next ones.</summary>
    public void Restore(IEnumerable<StatisticsDelta> deltas)
    {
        foreach (var delta in deltas)
        {
            var counts = _days.GetOrAdd(delta.Day, d => new Day(d)).For(delta.Prefix);
            Interlocked.Add(ref counts.Resolutions, delta.Resolutions);
            Interlocked.Add(ref counts.Registrations, delta.Registrations);
            Interlocked.Add(ref counts.Updates, delta.Updates);
            Interlocked.Add(ref counts.Deletions, delta.Deletions);
        }
    }

    /// <summary>Counts of <paramref name="day"/> not yet flushed, per prefix, without taking them.</summary>
    public IEnumerable<StatisticsDelta> Pending(int day)
    {
        if (!_days.TryGetValue(day, out var bucket))
        {
            yield break;
        }

        foreach (var (prefix, c) in bucket.Counts)
        {
            var delta = new StatisticsDelta(prefix, day, Interlocked.Read(ref c.Resolutions), Interlocked.Read(ref c.Registrations), Interlocked.Read(ref c.Updates), Interlocked.Read(ref c.Deletions));
            if (delta.Resolutions + delta.Registrations + delta.Updates + delta.Deletions > 0)
            {
                yield return delta;
            }
        }
    }

    private sealed class Day
    {
        private readonly ConcurrentDictionary<string, Counts>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

        public Day(int number)
        {
            Number = number;
            _bySpan = Counts.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public int Number { get; }

        public ConcurrentDictionary<string, Counts> Counts { get; } = new(StringComparer.Ordinal);

        public Counts For(ReadOnlySpan<char> prefix) =>
            _bySpan.TryGetValue(prefix, out var counts) ? counts : Counts.GetOrAdd(prefix.ToString(), _ => new Counts());

        public Counts For(string prefix) => Counts.GetOrAdd(prefix, _ => new Counts());
    }

    private sealed class Counts
    {
        public long ResolutionsToday;
        public long Resolutions;
        public long Registrations;
        public long Updates;
        public long Deletions;
    }
}

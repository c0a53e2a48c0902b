using System.Collections.Concurrent;
using IdResolution.Core.Handles;
using IdResolution.Registry;

namespace IdResolution.Server.Statistics;

/// <summary>
/// Per-prefix counts of resolutions and writes since the last flush to the registry. Counting a resolve is a
/// dictionary lookup by the prefix part of the key (no allocation) and an interlocked add. Only prefixes this
/// node serves are counted, so names under made-up prefixes cannot grow the table.
/// </summary>
public sealed class PrefixCounters : IHandleWriteListener
{
    private readonly ConcurrentDictionary<string, Counts> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counts>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public PrefixCounters() => _bySpan = _counts.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>A resolve of <paramref name="handleKey"/> (a normalised handle under a served prefix).</summary>
    public void Resolved(string handleKey)
    {
        var prefix = handleKey.AsSpan(0, handleKey.IndexOf('/', StringComparison.Ordinal));
        if (!_bySpan.TryGetValue(prefix, out var counts))
        {
            counts = _counts.GetOrAdd(prefix.ToString(), _ => new Counts());
        }

        Interlocked.Increment(ref counts.Resolutions);
        Interlocked.Increment(ref counts.ResolutionsSinceStart);
    }

    /// <summary>The prefixes with the most resolutions since this node started, most first.</summary>
    public List<(string Prefix, long Resolutions)> Top(int count)
    {
        var all = new List<(string Prefix, long Resolutions)>();
        foreach (var (prefix, counts) in _counts)
        {
            all.Add((prefix, Interlocked.Read(ref counts.ResolutionsSinceStart)));
        }

        all.Sort((a, b) => b.Resolutions.CompareTo(a.Resolutions));
        return all.Count > count ? all.GetRange(0, count) : all;
    }

    public Task HandleWrittenAsync(HandleName name, HandleChange change, CancellationToken cancellationToken)
    {
        var counts = _counts.GetOrAdd(name.Prefix.Key, _ => new Counts());
        switch (change)
        {
            case HandleChange.Created:
                Interlocked.Increment(ref counts.Registrations);
                break;
            case HandleChange.Updated:
                Interlocked.Increment(ref counts.Updates);
                break;
            default:
                Interlocked.Increment(ref counts.Deletions);
                break;
        }

        return Task.CompletedTask;
    }

    /// <summary>Takes the counts gathered so far (leaving zeros) as deltas for <paramref name="day"/>.</summary>
    public List<StatisticsDelta> Take(int day)
    {
        var deltas = new List<StatisticsDelta>();
        foreach (var (prefix, counts) in _counts)
        {
            var delta = new StatisticsDelta(prefix, day,
                Interlocked.Exchange(ref counts.Resolutions, 0), Interlocked.Exchange(ref counts.Registrations, 0),
                Interlocked.Exchange(ref counts.Updates, 0), Interlocked.Exchange(ref counts.Deletions, 0));
            if (delta.Resolutions + delta.Registrations + delta.Updates + delta.Deletions > 0)
            {
                deltas.Add(delta);
            }
        }

        return deltas;
    }

    /// <summary>Puts back deltas that could not be stored, to be flushed with the next ones.</summary>
    public void Restore(IEnumerable<StatisticsDelta> deltas)
    {
        foreach (var delta in deltas)
        {
            var counts = _counts.GetOrAdd(delta.Prefix, _ => new Counts());
            Interlocked.Add(ref counts.Resolutions, delta.Resolutions);
            Interlocked.Add(ref counts.Registrations, delta.Registrations);
            Interlocked.Add(ref counts.Updates, delta.Updates);
            Interlocked.Add(ref counts.Deletions, delta.Deletions);
        }
    }

    /// <summary>Counts not yet flushed, without taking them.</summary>
    public StatisticsDelta Pending(string prefix, int day) =>
        _counts.TryGetValue(prefix, out var c)
            ? new StatisticsDelta(prefix, day, Interlocked.Read(ref c.Resolutions), Interlocked.Read(ref c.Registrations), Interlocked.Read(ref c.Updates), Interlocked.Read(ref c.Deletions))
            : new StatisticsDelta(prefix, day, 0, 0, 0, 0);

    public IEnumerable<string> Prefixes => _counts.Keys;

    private sealed class Counts
    {
        public long ResolutionsSinceStart;
        public long Resolutions;
        public long Registrations;
        public long Updates;
        public long Deletions;
    }
}

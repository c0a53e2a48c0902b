using IdResolution.Core.Handles;
using IdResolution.Registry;
using IdResolution.Server.Statistics;

namespace IdResolution.Server.Tests.Statistics;

/// <summary>Counts belong to the UTC day they happened on, also across midnight and failed flushes.</summary>
public sealed class PrefixCountersTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task CountsBeforeAndAfterMidnight_AreTakenOnTheirOwnDays_AndRestoredThere()
    {
        var counters = new PrefixCounters(new FixedClock(new DateTimeOffset(2026, 11, 30, 23, 59, 58, TimeSpan.Zero)));
        counters.Resolved("88.118.8.1001/a");
        counters.Resolved("88.118.8.1001/b");
        await counters.HandleWrittenAsync(HandleName.Parse("88.118.8.1001/a"), HandleChange.Created, CancellationToken.None);

        counters.Roll(20261201);
        counters.Resolved("88.118.8.1001/a");

        var taken = counters.Take();
        Assert.Equal(
            [new StatisticsDelta("88.118.8.1001", 20261130, 2, 1, 0, 0), new StatisticsDelta("88.118.8.1001", 20261201, 1, 0, 0, 0)],
            taken.OrderBy(d => d.Day));
        Assert.Empty(counters.Take());

        counters.Restore(taken);
        Assert.Equal(taken.OrderBy(d => d.Day), counters.Take().OrderBy(d => d.Day));
    }

    [Fact]
    public void ABatchCountedByPrefixRuns_CountsEveryName_UnderItsOwnPrefix()
    {
        var counters = new PrefixCounters(new FixedClock(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero)));
        var run = new PrefixCounters.Run(counters);
        // Same length, different prefix: a run must end on the text, not only on the length.
        foreach (var name in new[] { "88.118.8.1001/a", "88.118.8.1001/b", "88.118.8.1002/a", "88.118.8.1001/c", "88.118.8.100/d", "88.118.8.100/e" })
        {
            run.Add(name);
        }

        run.Flush();
        run.Flush();

        Assert.Equal(
            [new StatisticsDelta("88.118.8.100", 20261127, 2, 0, 0, 0), new StatisticsDelta("88.118.8.1001", 20261127, 3, 0, 0, 0), new StatisticsDelta("88.118.8.1002", 20261127, 1, 0, 0, 0)],
            counters.Take().OrderBy(d => d.Prefix, StringComparer.Ordinal));
    }
}

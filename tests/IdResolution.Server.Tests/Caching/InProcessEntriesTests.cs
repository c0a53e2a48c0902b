using System.Text;
using IdResolution.Caching;
using IdResolution.Core.Values;

namespace IdResolution.Server.Tests.Caching;

/// <summary>The node's own L1 for found records: lifetimes, stale answers for outages, and the byte budget.</summary>
public sealed class InProcessEntriesTests
{
    /// <summary>A clock moved by hand: one timestamp unit is one millisecond.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Now { get; set; } = 1_000_000;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => Now;

        public void Advance(TimeSpan span) => Now += (long)span.TotalMilliseconds;
    }

    private readonly ManualClock _clock = new();

    [Fact]
    public void ARecord_IsFreshForItsLifetime_ThenOnlyStaleForItsStaleTime_ThenGone()
    {
        var entries = new InProcessEntries(1_000_000, _clock);
        var record = Entry("88.1/a");
        entries.Set("88.1/a", record, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

        _clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Same(record, entries.TryGetFresh("88.1/a"));

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Null(entries.TryGetFresh("88.1/a"));
        Assert.Same(record, entries.TryGetStale("88.1/a"));

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(entries.TryGetStale("88.1/a"));
        entries.Compact();
        Assert.Equal(0, entries.Count);
        Assert.Equal(0, entries.Bytes);
    }

    [Fact]
    public void ServingStale_MakesTheRecordFreshForTheThrottleOnly_AndNeverPastItsStaleTime()
    {
        var entries = new InProcessEntries(1_000_000, _clock);
        var record = Entry("88.1/a");
        entries.Set("88.1/a", record, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3));
        _clock.Advance(TimeSpan.FromSeconds(11));

        entries.ServeStaleFor("88.1/a", record, TimeSpan.FromSeconds(5));
        Assert.Same(record, entries.TryGetFresh("88.1/a"));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(entries.TryGetFresh("88.1/a"));

        // Another record under the key since: the stale one is not revived over it.
        var newer = Entry("88.1/a");
        entries.Set("88.1/a", newer, TimeSpan.FromSeconds(1), TimeSpan.Zero);
        _clock.Advance(TimeSpan.FromSeconds(2));
        entries.ServeStaleFor("88.1/a", record, TimeSpan.FromSeconds(5));
        Assert.Null(entries.TryGetFresh("88.1/a"));
    }

    [Fact]
    public void NoLifetime_RemovesWhatTheKeyHeld_AndReplacingOrRemovingKeepsTheWeightExact()
    {
        var entries = new InProcessEntries(1_000_000, _clock);
        var first = Entry("88.1/a");
        var second = Entry("88.1/a", "https://example.com/a/much/longer/address/than/the/first/one");
        entries.Set("88.1/a", first, TimeSpan.FromSeconds(10), TimeSpan.Zero);
        entries.Set("88.1/a", second, TimeSpan.FromSeconds(10), TimeSpan.Zero);
        Assert.Equal(second.EstimatedBytes(), entries.Bytes);
        Assert.Null(entries.TryGetStale("88.1/b"));

        entries.Set("88.1/a", first, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Null(entries.TryGetFresh("88.1/a"));
        Assert.Equal(0, entries.Bytes);

        entries.Set("88.1/b", first, TimeSpan.FromSeconds(10), TimeSpan.Zero);
        entries.Remove("88.1/b");
        entries.Remove("88.1/b");
        Assert.Equal(0, entries.Count);
        Assert.Equal(0, entries.Bytes);
    }

    [Fact]
    public void OverBudget_TheLeastRecentlyUsedGo_DownToNineTenthsOfIt()
    {
        var size = Entry("88.1/0").EstimatedBytes();
        var entries = new InProcessEntries(size * 10, _clock);
        for (var i = 0; i < 10; i++)
        {
            entries.Set($"88.1/{i}", Entry($"88.1/{i}"), TimeSpan.FromMinutes(10), TimeSpan.Zero);
            _clock.Advance(TimeSpan.FromSeconds(2));
        }

        // Read again later: the first three are now the most recently used.
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(entries.TryGetFresh($"88.1/{i}"));
        }

        _clock.Advance(TimeSpan.FromSeconds(2));
        entries.Set("88.1/10", Entry("88.1/10"), TimeSpan.FromMinutes(10), TimeSpan.Zero);
        entries.Compact();

        Assert.True(entries.Bytes <= size * 9, $"{entries.Bytes} bytes held, budget {size * 10}");
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(entries.TryGetFresh($"88.1/{i}"));
        }

        Assert.NotNull(entries.TryGetFresh("88.1/10"));
        Assert.Null(entries.TryGetFresh("88.1/3"));
        Assert.Null(entries.TryGetFresh("88.1/4"));
    }

    private static CachedResolution Entry(string handle, string url = "https://example.com/a") =>
        CachedResolution.FromRegistry(new HandleRecord(handle, 1, [new HandleValue(1, "URL", Encoding.UTF8.GetBytes(url))]), handle);
}

using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Values;

public class CacheLifetimeTests
{
    private const long Now = 1_800_000_000;

    [Fact]
    public void IsTheSmallestRelativeTtl()
    {
        Assert.Equal(60, CacheLifetime.Seconds([new HandleValue(1, "A", []) { Ttl = 3600 }, new HandleValue(2, "B", []) { Ttl = 60 }], Now, 30));
    }

    [Fact]
    public void AnyZeroTtl_MeansDoNotCache()
    {
        Assert.Equal(0, CacheLifetime.Seconds([new HandleValue(1, "A", []) { Ttl = 3600 }, new HandleValue(2, "B", []) { Ttl = 0 }], Now, 30));
    }

    [Fact]
    public void AbsoluteTtl_CountsUntilExpiry_AndExpiredMeansDoNotCache()
    {
        var inTenMinutes = new HandleValue(1, "A", []) { TtlType = TtlType.Absolute, Ttl = (int)(Now + 600) };
        var expired = new HandleValue(2, "B", []) { TtlType = TtlType.Absolute, Ttl = (int)(Now - 1) };

        Assert.Equal(600, CacheLifetime.Seconds([inTenMinutes], Now, 30));
        Assert.Equal(0, CacheLifetime.Seconds([inTenMinutes, expired], Now, 30));
    }

    [Fact]
    public void NoValues_UsesTheGivenDefault()
    {
        Assert.Equal(30, CacheLifetime.Seconds([], Now, 30));
    }

    [Fact]
    public void Spread_ShortensByUpToATenth_AndVaries()
    {
        var random = new Random(42);
        var spread = new HashSet<long>();
        for (var i = 0; i < 1000; i++)
        {
            var seconds = CacheLifetime.Spread(600, random);
            Assert.InRange(seconds, 540, 600);
            spread.Add(seconds);
        }

        // 61 possible lifetimes over 1,000 draws: most of them come up, the ends included.
        Assert.True(spread.Count > 50, $"{spread.Count} distinct lifetimes");
        Assert.Contains(540, spread);
        Assert.Contains(600, spread);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(1)]
    [InlineData(9)]
    public void Spread_LeavesShortAndDoNotCacheLifetimesAlone(long seconds)
    {
        Assert.Equal(seconds, CacheLifetime.Spread(seconds, new Random(1)));
    }
}

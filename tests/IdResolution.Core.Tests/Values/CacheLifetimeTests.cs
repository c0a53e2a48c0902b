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
}

using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Values;

public class ValueFilterTests
{
    private static readonly HandleValue[] Values =
    [
        new(1, "URL", []),
        new(2, "URL.mobile", []),
        new(3, "EMAIL", []),
        new(2000, "productName", []),
    ];

    [Fact]
    public void NoLists_SelectsEverything_WithoutCopying()
    {
        Assert.Same(Values, ValueFilter.All.Apply(Values));
    }

    [Fact]
    public void Type_MatchesExactlyAndIgnoringCase()
    {
        var selected = new ValueFilter(["url"], []).Apply(Values);

        Assert.Equal([1], selected.Select(v => v.Index));
    }

    [Fact]
    public void TypeWithTrailingPeriod_SelectsSubTypes()
    {
        var selected = new ValueFilter(["URL."], []).Apply(Values);

        Assert.Equal([1, 2], selected.Select(v => v.Index));
    }

    [Fact]
    public void TypesAndIndexes_AreAUnion()
    {
        var selected = new ValueFilter(["EMAIL"], [2000]).Apply(Values);

        Assert.Equal([3, 2000], selected.Select(v => v.Index));
    }

    [Fact]
    public void NothingMatching_GivesEmpty()
    {
        Assert.Empty(new ValueFilter(["HS_ADMIN"], [99]).Apply(Values));
    }
}

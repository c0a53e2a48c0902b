using IdResolution.Core.Handles;

namespace IdResolution.Core.Tests.Handles;

public class PrefixNameTests
{
    [Theory]
    [InlineData("88.118.8.1001", "88.118.8", true)]
    [InlineData("88.118.8", "88.118.8", true)]
    [InlineData("88.118.80", "88.118.8", false)]
    [InlineData("88.118", "88.118.8", false)]
    [InlineData("88.118.8.abc", "88.118.8", true)]
    public void IsAtOrUnder_FollowsDottedHierarchy(string prefix, string ancestor, bool expected)
    {
        Assert.Equal(expected, PrefixName.Parse(prefix).IsAtOrUnder(PrefixName.Parse(ancestor)));
    }

    [Fact]
    public void IsAtOrUnder_IgnoresCase()
    {
        Assert.True(PrefixName.Parse("0.na.x").IsAtOrUnder(PrefixName.Parse("0.NA")));
    }

    [Theory]
    [InlineData("88.118/8")]
    [InlineData("88.118.")]
    [InlineData("88.1é")]
    public void TryParse_RejectsBadPrefixes(string text)
    {
        Assert.False(PrefixName.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void TryParse_LimitsSegments()
    {
        var text = string.Join('.', Enumerable.Repeat("1", HandleLimits.MaxPrefixSegments + 1));

        Assert.False(PrefixName.TryParse(text, out _, out var error));
        Assert.Contains("segments", error, StringComparison.Ordinal);
    }
}

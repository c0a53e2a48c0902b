using IdResolution.Core.Handles;

namespace IdResolution.Core.Tests.Handles;

public class HandleNameTests
{
    [Fact]
    public void Parse_SplitsAtFirstSlash_KeepingLaterSlashesInSuffix()
    {
        var name = HandleName.Parse("88.118.8.1001/LOT/42/a");

        Assert.Equal("88.118.8.1001", name.Prefix.Display);
        Assert.Equal("LOT/42/a", name.Suffix);
    }

    [Fact]
    public void Key_UpperCasesPrefixOnly()
    {
        var name = HandleName.Parse("88.abc.x/Suffix-MiXed");

        Assert.Equal("88.ABC.X/Suffix-MiXed", name.Key);
        Assert.Equal("88.abc.x/Suffix-MiXed", name.Display);
    }

    [Fact]
    public void Key_OfAlreadyNormalisedName_IsTheSameString()
    {
        const string text = "88.118.8/ABC";

        Assert.Same(text, HandleName.Parse(text).Key);
    }

    [Fact]
    public void SuffixCase_Matters_PrefixCase_DoesNot()
    {
        Assert.Equal(HandleName.Parse("88.ab/x").Key, HandleName.Parse("88.AB/x").Key);
        Assert.NotEqual(HandleName.Parse("88.ab/x").Key, HandleName.Parse("88.ab/X").Key);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("88.118.8", "no '/'")]
    [InlineData("/abc", "empty prefix")]
    [InlineData("88.118.8/", "empty suffix")]
    [InlineData("88..8/abc", "empty segment")]
    [InlineData(".88/abc", "empty segment")]
    [InlineData("88./abc", "ends with an empty segment")]
    [InlineData("88 1/abc", "contains ' '")]
    [InlineData("88.1/a\u0001b", "control character")]
    [InlineData("88.1/a\nb", "control character")]
    public void TryParse_Rejects_WithAReason(string text, string reason)
    {
        Assert.False(HandleName.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_RejectsUnpairedSurrogate()
    {
        Assert.False(HandleName.TryParse("88.1/a\uD800b", out _, out var error));
        Assert.Contains("surrogate", error, StringComparison.Ordinal);
        Assert.False(HandleName.TryParse("88.1/\uDC00", out _, out _));
    }

    [Fact]
    public void TryParse_AcceptsUnicodeSuffix()
    {
        Assert.True(HandleName.TryParse("88.118.8.1001/洗发水-😀-2026", out var name, out _));
        Assert.Equal("洗发水-😀-2026", name.Suffix);
    }

    [Fact]
    public void TryParse_LimitsUtf8Length()
    {
        var atLimit = "88.1/" + new string('a', HandleLimits.MaxHandleBytes - 5);
        var overByMultibyte = "88.1/" + new string('a', HandleLimits.MaxHandleBytes - 6) + "é";

        Assert.True(HandleName.TryParse(atLimit, out _, out _));
        Assert.False(HandleName.TryParse(overByMultibyte, out _, out var error));
        Assert.Contains("2048", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Invalid_ThrowsInvalidHandle()
    {
        var e = Assert.Throws<HandleException>(() => HandleName.Parse("nope"));
        Assert.Equal(ResponseCode.InvalidHandle, e.Code);
    }
}

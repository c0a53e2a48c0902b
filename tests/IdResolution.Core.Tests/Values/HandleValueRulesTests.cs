using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Values;

public class HandleValueRulesTests
{
    [Theory]
    [InlineData(0, "URL", "not a positive integer")]
    [InlineData(-1, "URL", "not a positive integer")]
    [InlineData(1, "", "empty type")]
    [InlineData(1, "a\u0007b", "control characters")]
    public void Validate_RejectsBadValues(int index, string type, string reason)
    {
        var e = Assert.Throws<HandleException>(() => HandleValueRules.Validate([new HandleValue(index, type, [])]));

        Assert.Equal(ResponseCode.InvalidValue, e.Code);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RejectsDuplicateIndexes()
    {
        var e = Assert.Throws<HandleException>(() => HandleValueRules.Validate([new HandleValue(5, "A", []), new HandleValue(5, "B", [])]));

        Assert.Contains("index 5 appears more than once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EnforcesDataLimit()
    {
        HandleValueRules.Validate([new HandleValue(1, "A", new byte[10])], maxDataBytes: 10);

        Assert.Throws<HandleException>(() => HandleValueRules.Validate([new HandleValue(1, "A", new byte[11])], maxDataBytes: 10));
    }

    [Fact]
    public void Validate_RejectsHsAdminThatIsNotAnAdminReference()
    {
        var e = Assert.Throws<HandleException>(() => HandleValueRules.Validate([new HandleValue(100, "HS_ADMIN", "oops"u8.ToArray())]));

        Assert.Contains("HS_ADMIN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RejectsTooManyValues()
    {
        var values = Enumerable.Range(1, Core.Handles.HandleLimits.MaxValuesPerHandle + 1).Select(i => new HandleValue(i, "A", [])).ToArray();

        Assert.Throws<HandleException>(() => HandleValueRules.Validate(values));
    }
}

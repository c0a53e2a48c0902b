using IdResolution.Core.Accounts;

namespace IdResolution.Core.Tests.Accounts;

public sealed class CreditCodeTests
{
    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("91110000802100433B")]
    [InlineData("9144030071526726XG")]
    public void PublishedCodes_AreValid(string code) => Assert.True(CreditCode.IsValid(code, out _));

    [Theory]
    [InlineData("91350100M000100Y44", "check character")]
    [InlineData("91350100M000100Y4", "18 characters")]
    [InlineData("91350100M000100Y433", "18 characters")]
    [InlineData("91350100I000100Y43", "character 9 ('I')")]
    [InlineData("91350100m000100Y43", "character 9 ('m')")]
    [InlineData("", "18 characters")]
    [InlineData(null, "18 characters")]
    public void BrokenCodes_AreRefusedWithTheReason(string? code, string reason)
    {
        Assert.False(CreditCode.IsValid(code, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void EverySingleCharacterChange_IsCaught()
    {
        const string code = "91110000802100433B";
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        for (var i = 0; i < code.Length; i++)
        {
            foreach (var c in alphabet)
            {
                if (c != code[i])
                {
                    var changed = string.Concat(code.AsSpan(0, i), c.ToString(), code.AsSpan(i + 1));
                    Assert.False(CreditCode.IsValid(changed, out _), changed);
                }
            }
        }
    }
}

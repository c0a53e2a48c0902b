using IdResolution.Core.Schemes;

namespace IdResolution.Core.Tests.Schemes;

public sealed class DigitalLinkTests
{
    [Theory]
    [InlineData("09506000134352")]
    [InlineData("4006381333931")]
    [InlineData("96385074")]
    [InlineData("106141412345678908")]
    [InlineData("9521234500001")]
    public void PublishedKeys_HaveValidCheckDigits(string key) => Assert.True(Gs1CheckDigit.IsValid(key));

    [Fact]
    public void EverySingleDigitChange_IsCaught()
    {
        const string gtin = "09506000134352";
        for (var i = 0; i < gtin.Length; i++)
        {
            for (var d = '0'; d <= '9'; d++)
            {
                if (d != gtin[i])
                {
                    Assert.False(Gs1CheckDigit.IsValid(string.Concat(gtin.AsSpan(0, i), d.ToString(), gtin.AsSpan(i + 1))));
                }
            }
        }
    }

    [Theory]
    [InlineData("/01/09506000134352", "/01/09506000134352")]
    [InlineData("/01/4006381333931", "/01/04006381333931")]
    [InlineData("/01/96385074/10/LOT-1", "/01/00000096385074/10/LOT-1")]
    [InlineData("/01/09506000134352/10/ABC%2F1/21/XYZ", "/01/09506000134352/10/ABC%2F1/21/XYZ")]
    [InlineData("/01/09506000134352/22/V2/10/L/21/S", "/01/09506000134352/22/V2/10/L/21/S")]
    [InlineData("/00/106141412345678908", "/00/106141412345678908")]
    [InlineData("/414/9521234500001/254/DOCK-3", "/414/9521234500001/254/DOCK-3")]
    [InlineData("01/09506000134352/21/S1/", "/01/09506000134352/21/S1")]
    public void ValidPaths_ReadToTheirCanonicalForm(string path, string canonical)
    {
        Assert.True(DigitalLink.TryParse(path, out var key, out var error), error);
        Assert.Equal(canonical, key!.Path);
    }

    [Theory]
    [InlineData("/01/09506000134353", "check digit of 09506000134353 should be 2")]
    [InlineData("/01/09506000134", "is 8 or 12 or 13 or 14 digits")]
    [InlineData("/01/0950600013435X", "digits")]
    [InlineData("/01/09506000134352/21/S/10/L", "(10) is out of order")]
    [InlineData("/01/09506000134352/254/X", "(254) does not qualify (01)")]
    [InlineData("/00/106141412345678908/21/S", "(21) does not qualify (00)")]
    [InlineData("/01/09506000134352/21/" + "ABCDEFGHIJKLMNOPQRSTU", "1 to 20 characters")]
    [InlineData("/01/09506000134352/10/A%20B", "' ' is not in the GS1 character set 82")]
    [InlineData("/01/09506000134352/10", "followed by /{qualifier AI}/{value} pairs")]
    [InlineData("/99/123", "'99' is not a GS1 primary key AI")]
    [InlineData("/01/%ZZ", "not valid percent-encoding")]
    [InlineData("", "a Digital Link path is")]
    public void BadPaths_SayWhy(string path, string reason)
    {
        Assert.False(DigitalLink.TryParse(path, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ASerialFallsBackToItsLotThenItsGtin()
    {
        Assert.True(DigitalLink.TryParse("/01/09506000134352/10/L1/21/S1", out var key, out _));

        Assert.Equal("/01/09506000134352/10/L1", key!.Parent!.Path);
        Assert.Equal("/01/09506000134352", key.Parent!.Parent!.Path);
        Assert.Null(key.Parent!.Parent!.Parent);
    }
}

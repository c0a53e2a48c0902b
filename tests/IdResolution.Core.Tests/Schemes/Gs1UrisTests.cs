using IdResolution.Core.Schemes;
using IdResolution.Core.Traceability;

namespace IdResolution.Core.Tests.Schemes;

/// <summary>EPC URN examples from the GS1 EPC Tag Data Standard, and Digital Link URIs.</summary>
public sealed class Gs1UrisTests
{
    [Theory]
    [InlineData("urn:epc:id:sgtin:0614141.812345.6789", "/01/80614141123458/21/6789")]
    [InlineData("urn:epc:id:sscc:0614141.1234567890", "/00/106141412345678908")]
    [InlineData("urn:epc:id:sgln:0614141.12345.400", "/414/0614141123452/254/400")]
    [InlineData("urn:epc:id:sgln:0614141.12345.0", "/414/0614141123452")]
    [InlineData("urn:epc:id:grai:0614141.12345.400", "/8003/00614141123452400")]
    [InlineData("urn:epc:id:giai:0614141.12345400", "/8004/061414112345400")]
    [InlineData("urn:epc:class:lgtin:4012345.012345.998877", "/01/04012345123456/10/998877")]
    [InlineData("urn:epc:id:sgtin:0614141.812345.A%2FB", "/01/80614141123458/21/A%2FB")]
    [InlineData("urn:epc:id:sgtin:0614141.812345.A.B", "/01/80614141123458/21/A.B")]
    [InlineData("urn:epc:id:sgtin:0614141.812345.A:B", "/01/80614141123458/21/A%3AB")]
    [InlineData("URN:EPC:ID:SGTIN:0614141.812345.6789", "/01/80614141123458/21/6789")]
    [InlineData("https://id.gs1.org/01/09506000134352/21/S1?17=261231", "/01/09506000134352/21/S1")]
    [InlineData("https://brand.example/products/01/9506000134352", "/01/09506000134352")]
    public void KnownSpellings_ReadAsTheKey(string text, string path)
    {
        Assert.True(Gs1Uris.TryParse(text, out var key));
        Assert.Equal(path, key.Path);
    }

    [Theory]
    [InlineData("urn:epc:id:sgtin:0614141.812345")]
    [InlineData("urn:epc:id:sgtin:0614141.8123X5.1")]
    [InlineData("urn:epc:id:sgtin:0614141.8123456.1")]
    [InlineData("urn:epc:id:usdod:2S194.12345678901")]
    [InlineData("urn:epc:id:giai:9506000/7040/1A2B.1")]
    [InlineData("urn:epc:id:sgtin:06141.812345.1")]
    [InlineData("https://example.com/products/42")]
    [InlineData("https://example.com/01/09506000134353")]
    public void OtherUris_AreNotGs1Keys(string text) => Assert.False(Gs1Uris.TryParse(text, out _));

    [Fact]
    public void EveryNameOfOneKey_IsOneEventObject()
    {
        string[] spellings = ["urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789", "GS1/01/80614141123458/21/6789", "gs1/01/80614141123458/21/6789"];

        var names = spellings.Select(s => ObjectNames.TryNormalise(s, out var name, out _) ? name : null).Distinct().ToList();

        Assert.Equal(["GS1/01/80614141123458/21/6789"], names);
    }

    [Fact]
    public void OidUrns_AndOidNames_AreOne()
    {
        Assert.True(ObjectNames.TryNormalise("urn:oid:1.2.156.7", out var urn, out _));
        Assert.True(ObjectNames.TryNormalise("oid:1.2.156.7", out var marked, out _));
        Assert.Equal("OID/1.2.156.7", urn);
        Assert.Equal(urn, marked);
    }
}

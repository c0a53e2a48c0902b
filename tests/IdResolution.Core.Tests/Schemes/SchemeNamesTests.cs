using IdResolution.Core.Handles;
using IdResolution.Core.Schemes;

namespace IdResolution.Core.Tests.Schemes;

public sealed class SchemeNamesTests
{
    [Theory]
    [InlineData("oid:1.2.156.112.1001.7.42", "OID/1.2.156.112.1001.7.42")]
    [InlineData("OID:2.999.1", "OID/2.999.1")]
    [InlineData("1.2.156.112.1001.7.42", "OID/1.2.156.112.1001.7.42")]
    [InlineData("0.0", "OID/0.0")]
    [InlineData("oid/1.2.840", "OID/1.2.840")]
    [InlineData("GS1/01/9506000134352", "GS1/01/09506000134352")]
    [InlineData("gs1/01/09506000134352/10/LOT%2F1/21/S1", "GS1/01/09506000134352/10/LOT%2F1/21/S1")]
    [InlineData("GS1/00/106141412345678908", "GS1/00/106141412345678908")]
    public void SchemeNames_TakeTheirCanonicalHandleForm(string text, string key)
    {
        var name = HandleName.Parse(text);

        Assert.Equal(key, name.Key);
        Assert.Equal(key, name.Display);
        Assert.Equal(key[..3] == "OID" ? IdentifierScheme.Oid : IdentifierScheme.Gs1, name.Scheme);
    }

    [Theory]
    [InlineData("GS1/01/09506000134352/21/S1")]
    [InlineData("GS1/8004/9506000ABC-1")]
    [InlineData("OID/1.2.156.112.1001.7.42")]
    public void CanonicalForms_AreTheirOwnKey_WithoutCopying(string text) => Assert.Same(text, HandleName.Parse(text).Key);

    [Fact]
    public void Handles_StayHandles() => Assert.Equal(IdentifierScheme.Handle, HandleName.Parse("88.118.8.1001/OID/1.2").Scheme);

    [Theory]
    [InlineData("oid:1..2", "arc 2 is empty")]
    [InlineData("oid:1.2.", "arc 3 is empty")]
    [InlineData("oid:1.02.3", "leading zero")]
    [InlineData("oid:1.2.x", "'x' at position 4 is not a digit")]
    [InlineData("oid:3.1", "first arc is 0, 1 or 2")]
    [InlineData("oid:1.40", "second arc is below 40")]
    [InlineData("oid:0.100", "second arc is below 40")]
    [InlineData("oid:1", "at least 2 are needed")]
    [InlineData("88.118.8", "no '/' between prefix and suffix, and is not an OID")]
    [InlineData("88.118.8.1001", "first arc is 0, 1 or 2")]
    [InlineData("abc", "no '/'")]
    [InlineData("OID/1.2.a", "not a digit")]
    [InlineData("GS1/01/09506000134353", "check digit")]
    [InlineData("GS1/01/09506000134352/21/S1/10/L", "out of order")]
    [InlineData("OID.1.2.156/7.42", "an OID arc: write its identifiers as oid:")]
    [InlineData("GS1.9506000/x", "a GS1 company prefix")]
    public void BadSchemeNames_AreExplained(string text, string reason)
    {
        Assert.False(HandleName.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oid:1.2.156.112.1001", "OID.1.2.156.112.1001")]
    [InlineData("gs1:9506000", "GS1.9506000")]
    [InlineData("gs1.9506000", "GS1.9506000")]
    public void Namespaces_ArePrefixes(string text, string key) => Assert.Equal(key, PrefixName.Parse(text).Key);

    [Theory]
    [InlineData("OID", "reserved")]
    [InlineData("gs1", "reserved")]
    [InlineData("oid:1.02", "leading zero")]
    [InlineData("gs1:950", "4 to 12 digits")]
    [InlineData("gs1:9506000134352", "4 to 12 digits")]
    [InlineData("GS1.95a6", "4 to 12 digits")]
    public void BadNamespaces_AreExplained(string text, string reason)
    {
        Assert.False(PrefixName.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void PrefixRecordsOfNamespaces_LiveWithThem() =>
        Assert.Equal("OID.1.2.156", HandleName.Parse("0.NA/oid.1.2.156").HomePrefix.Key);

    [Fact]
    public void OidCandidates_AreItsArcs_LongestFirst() =>
        Assert.Equal(
            ["OID.1.2.156.7", "OID.1.2.156", "OID.1.2"],
            SchemeNames.HomeCandidates(HandleName.Parse("oid:1.2.156.7")).ConvertAll(p => p.Key));

    [Theory]
    [InlineData("GS1/01/09506000134352/21/S1", "950600013435")]
    [InlineData("GS1/00/106141412345678908", "061414123456")]
    [InlineData("GS1/414/9520123456788", "952012345678")]
    [InlineData("GS1/8004/95060001ABC", "95060001")]
    public void Gs1Candidates_AreCompanyPrefixesFrom12DigitsDownTo4(string text, string longest)
    {
        var candidates = SchemeNames.HomeCandidates(HandleName.Parse(text)).ConvertAll(p => p.Key);

        Assert.Equal("GS1." + longest, candidates[0]);
        Assert.Equal("GS1." + longest[..4], candidates[^1]);
        Assert.Equal(longest.Length - 3, candidates.Count);
    }

    [Fact]
    public void HandleCandidate_IsItsHomePrefix() =>
        Assert.Equal(["88.118.8.1001"], SchemeNames.HomeCandidates(HandleName.Parse("88.118.8.1001/x")).ConvertAll(p => p.Key));
}

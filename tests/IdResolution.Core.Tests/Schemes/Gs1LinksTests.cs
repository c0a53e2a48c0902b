using System.Text;
using IdResolution.Core.Schemes;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Schemes;

public sealed class Gs1LinksTests
{
    private static HandleValue Url(int index, string href) => new(index, "URL", Encoding.UTF8.GetBytes(href));

    private static HandleValue Link(int index, string json) => new(index, Gs1Links.ValueType, Encoding.UTF8.GetBytes(json));

    private static readonly List<Gs1Link> Links = Gs1Links.From(
    [
        Url(1, "https://x.example/default"),
        Url(2, "https://x.example/second"),
        Link(3, """{"linkType":"gs1:pip","href":"https://x.example/en","hreflang":"en"}"""),
        Link(4, """{"linkType":"gs1:pip","href":"https://x.example/zh-hans","hreflang":["zh-Hans","zh"]}"""),
        Link(5, """{"linkType":"https://gs1.org/voc/pip","href":"https://x.example/any"}"""),
        Link(6, """{"linkType":"gs1:epil","href":"https://x.example/epil-hk","context":"hk"}"""),
        Link(7, """{"linkType":"gs1:epil","href":"https://x.example/epil"}"""),
        new HandleValue(8, "EMAIL", Encoding.UTF8.GetBytes("a@x.example")),
    ]);

    [Fact]
    public void UrlValues_AreTheDefaultLinks_TheFirstOneMarked() =>
        Assert.Equal([true, false], Links.FindAll(l => l.LinkType.StartsWith("gs1:defaultLink", StringComparison.Ordinal)).ConvertAll(l => l.IsDefault));

    [Theory]
    [InlineData(null, null, new string[0], "https://x.example/default")]
    [InlineData("gs1:pip", null, new[] { "zh-CN" }, "https://x.example/zh-hans")]
    [InlineData("gs1:pip", null, new[] { "en-US" }, "https://x.example/en")]
    [InlineData("gs1:pip", null, new[] { "fr", "zh" }, "https://x.example/zh-hans")]
    [InlineData("gs1:pip", null, new[] { "fr" }, "https://x.example/any")]
    [InlineData("https://gs1.org/voc/pip", null, new[] { "en" }, "https://x.example/en")]
    [InlineData("gs1:epil", "hk", new string[0], "https://x.example/epil-hk")]
    [InlineData("gs1:epil", "mo", new string[0], "https://x.example/epil")]
    [InlineData("gs1:epil", null, new string[0], "https://x.example/epil")]
    [InlineData("gs1:unknown", null, new string[0], "https://x.example/default")]
    public void Choose_FollowsTypeThenContextThenLanguage(string? linkType, string? context, string[] languages, string expected) =>
        Assert.Equal(expected, Gs1Links.Choose(Links, linkType, context, languages)!.Href);

    [Fact]
    public void NoLinks_NoChoice() => Assert.Null(Gs1Links.Choose([], null, null, []));

    [Theory]
    [InlineData("[]", "JSON object")]
    [InlineData("{", "JSON object")]
    [InlineData("""{"linkType":"pip","href":"https://x"}""", "linkType")]
    [InlineData("""{"linkType":"gs1:pip","href":"ftp://x"}""", "href")]
    [InlineData("""{"linkType":"gs1:pip","href":"https://x","hreflang":["e n"]}""", "hreflang")]
    [InlineData("""{"linkType":"gs1:pip","href":"https://x","hreflang":7}""", "hreflang")]
    public void MalformedLinks_AreExplained(string json, string reason) =>
        Assert.Contains(reason, Gs1Links.Problem(Encoding.UTF8.GetBytes(json)), StringComparison.Ordinal);
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Schemes;

/// <summary>The GS1 Digital Link resolver through the real server, on PostgreSQL and Redis.</summary>
public sealed class DigitalLinkTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>, IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Node.HttpUrl };

    private NodeServer Node => fixture.Node;

    public void Dispose() => _client.Dispose();

    private static string Link(int index, string linkType, string href, string? lang = null, string? context = null)
    {
        var link = new Dictionary<string, object> { ["linkType"] = linkType, ["href"] = href, ["title"] = linkType };
        if (lang is not null)
        {
            link["hreflang"] = new[] { lang };
        }

        if (context is not null)
        {
            link["context"] = context;
        }

        return JsonSerializer.Serialize(new { index, type = "GS1_LINK", data = new { format = "json", value = link } });
    }

    /// <summary>A product handle with its links, its GTIN as an alias of it, and one serial with a record of its own.</summary>
    private async Task<(string Gtin, string Handle)> ProductAsync()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var gcp = SchemeTestNames.NewCompanyPrefix();
        await SchemeTestNames.AssignAsync(Node, tenant, "gs1:" + gcp);
        var writer = await tenant.IssueAsync(Node, "writer");
        var gtin = SchemeTestNames.Gtin(gcp, 17);
        var handle = $"{tenant.Prefix}/WIDGET";
        var values = string.Join(",",
            """{"index":1,"type":"URL","data":"https://example.com/widget"}""",
            Link(2, "gs1:pip", "https://example.com/en/pip", "en"),
            Link(3, "gs1:pip", "https://example.com/zh/pip", "zh"),
            Link(4, "gs1:instructions", "https://example.com/dealer/instructions", context: "dealer"),
            Link(5, "gs1:instructions", "https://example.com/instructions"));
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{handle}", $$"""{"values":[{{values}}]}""")).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/GS1/01/{gtin}", $$"""{"values":[{"index":1,"type":"HS_ALIAS","data":"{{handle}}"}]}""")).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/GS1/01/{gtin}/21/S1", """{"values":[{"index":1,"type":"URL","data":"https://example.com/serial/S1"}]}""")).EnsureSuccessStatusCode();
        // A serial registered as an alias of a unit's handle that holds data but no links.
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{tenant.Prefix}/UNIT-S3", """{"values":[{"index":2000,"type":"colour","data":"red"}]}""")).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/GS1/01/{gtin}/21/S3", $$"""{"values":[{"index":1,"type":"HS_ALIAS","data":"{{tenant.Prefix}}/UNIT-S3"}]}""")).EnsureSuccessStatusCode();
        return (gtin, handle);
    }

    private async Task<string?> RedirectAsync(string path, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptLanguage is not null)
        {
            request.Headers.Add("Accept-Language", acceptLanguage);
        }

        using var response = await _client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.TemporaryRedirect, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.Headers.TryGetValues("Location", out var location) ? location.Single() : null;
    }

    [Fact]
    public async Task TheDefaultLink_TheAskedLinkType_Language_AndContext_ChooseTheRedirect()
    {
        var (gtin, _) = await ProductAsync();

        Assert.Equal("https://example.com/widget", await RedirectAsync($"/01/{gtin}"));
        Assert.Equal("https://example.com/widget", await RedirectAsync($"/01/{gtin[1..]}")); // GTIN-13 read as GTIN-14
        Assert.Equal("https://example.com/zh/pip", await RedirectAsync($"/01/{gtin}?linkType=gs1:pip", "zh-CN,zh;q=0.9,en;q=0.5"));
        Assert.Equal("https://example.com/en/pip", await RedirectAsync($"/01/{gtin}?linkType=gs1:pip", "en-GB, zh;q=0.2"));
        Assert.Equal("https://example.com/en/pip", await RedirectAsync($"/01/{gtin}?linkType=https://gs1.org/voc/pip", "en"));
        Assert.Equal("https://example.com/dealer/instructions", await RedirectAsync($"/01/{gtin}?linkType=gs1:instructions&context=dealer"));
        Assert.Equal("https://example.com/instructions", await RedirectAsync($"/01/{gtin}?linkType=gs1:instructions"));
        Assert.Equal("https://example.com/widget", await RedirectAsync($"/01/{gtin}?linkType=gs1:recipeInfo"));
        Assert.Equal("https://example.com/widget?17=261231", await RedirectAsync($"/01/{gtin}?17=261231"));
    }

    [Fact]
    public async Task ASerialWithoutARecordOrLinks_FallsBackToTheGtin_AndAKnownSerialAnswersItself()
    {
        var (gtin, _) = await ProductAsync();

        Assert.Equal("https://example.com/serial/S1", await RedirectAsync($"/01/{gtin}/21/S1"));
        Assert.Equal("https://example.com/widget", await RedirectAsync($"/01/{gtin}/21/S2"));
        Assert.Equal("https://example.com/widget", await RedirectAsync($"/01/{gtin}/10/LOT-1/21/S1"));
        Assert.Equal("https://example.com/widget", await RedirectAsync($"/01/{gtin}/21/S3"));
    }

    [Fact]
    public async Task LinkTypeAll_AndTheLinksetMediaType_GiveTheLinkset()
    {
        var (gtin, _) = await ProductAsync();

        using var all = await _client.GetAsync($"/01/{gtin}/21/S9?linkType=all");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/01/{gtin}");
        request.Headers.Add("Accept", "application/linkset+json");
        using var negotiated = await _client.SendAsync(request);
        var linkset = (await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("linkset")[0];

        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal("application/linkset+json", all.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith($"/01/{gtin}", linkset.GetProperty("anchor").GetString(), StringComparison.Ordinal);
        Assert.Equal(["en", "zh"], linkset.GetProperty("https://gs1.org/voc/pip").EnumerateArray().Select(l => l.GetProperty("hreflang")[0].GetString()));
        Assert.Equal("https://example.com/widget", linkset.GetProperty("https://gs1.org/voc/defaultLink")[0].GetProperty("href").GetString());
        Assert.Equal("dealer", linkset.GetProperty("https://gs1.org/voc/instructions")[0].GetProperty("context").GetString());
        Assert.Equal(await all.Content.ReadAsStringAsync(), await negotiated.Content.ReadAsStringAsync());
        Assert.Contains("rel=\"linkset\"", string.Join(",", all.Headers.GetValues("Link")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadAndUnknownKeys_AreProblemsWithTheReason()
    {
        var (gtin, _) = await ProductAsync();
        var wrongCheck = gtin[..^1] + (char)('0' + ((gtin[^1] - '0' + 1) % 10));

        var cases = new (string Path, HttpStatusCode Status, string Reason)[]
        {
            ($"/01/{wrongCheck}", HttpStatusCode.BadRequest, "check digit"),
            ($"/01/{gtin}/21/S1/10/L1", HttpStatusCode.BadRequest, "out of order"),
            ($"/01/12345", HttpStatusCode.BadRequest, "8 or 12 or 13 or 14 digits"),
            ($"/01/{SchemeTestNames.Gtin(SchemeTestNames.NewCompanyPrefix(), 1)}", HttpStatusCode.NotFound, "no GS1 company prefix"),
            ($"/01/{gtin[..^3]}99{Core.Schemes.Gs1CheckDigit.Compute(gtin[..^3] + "99")}", HttpStatusCode.NotFound, "nothing is registered"),
        };
        foreach (var (path, status, reason) in cases)
        {
            using var response = await _client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{path}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains(reason, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MalformedLinks_AreRefusedOnWrite()
    {
        var tenant = await Tenant.CreateAsync(Node);
        using var noHref = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{tenant.Prefix}/L1", """{"values":[{"index":2,"type":"GS1_LINK","data":{"format":"json","value":{"linkType":"gs1:pip"}}}]}""");
        using var badType = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{tenant.Prefix}/L2", """{"values":[{"index":2,"type":"GS1_LINK","data":"{\"linkType\":\"pip\",\"href\":\"https://x.example\"}"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, noHref.StatusCode);
        Assert.Contains("href is an absolute http(s) URL", await noHref.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("linkType is a GS1 vocabulary term", await badType.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALinkWithNonAsciiCharacters_RedirectsInItsAsciiForm_AndBrokenTextIsRefused()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var gcp = SchemeTestNames.NewCompanyPrefix();
        await SchemeTestNames.AssignAsync(Node, tenant, "gs1:" + gcp);
        var gtin = SchemeTestNames.Gtin(gcp, 5);
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/GS1/01/{gtin}", """{"values":[{"index":1,"type":"URL","data":"https://例子.中国/产品/洗发水"}]}""")).EnsureSuccessStatusCode();
        using var loneSurrogate = await Node.SendAsync(HttpMethod.Put, $"/api/handles/GS1/01/{gtin}/21/X", """{"values":[{"index":2,"type":"GS1_LINK","data":"{\"linkType\":\"gs1:pip\",\"href\":\"https://x.example\",\"title\":\"\\ud800\"}"}]}""");
        using var controlInUrl = await Node.SendAsync(HttpMethod.Put, $"/api/handles/GS1/01/{gtin}/21/Y", """{"values":[{"index":2,"type":"GS1_LINK","data":{"format":"json","value":{"linkType":"gs1:pip","href":"https://x.example/a\r\nSet-Cookie: x=1"}}}]}""");

        Assert.Equal("https://xn--fsqu00a.xn--fiqs8s/%E4%BA%A7%E5%93%81/%E6%B4%97%E5%8F%91%E6%B0%B4", await RedirectAsync($"/01/{gtin}"));
        Assert.Equal(HttpStatusCode.BadRequest, loneSurrogate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, controlInUrl.StatusCode);
    }

    [Fact]
    public async Task TheResolverDescribesItself()
    {
        var description = await _client.GetFromJsonAsync<JsonElement>("/.well-known/gs1resolver");

        Assert.Contains("01", description.GetProperty("supportedPrimaryKeys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(Node.HttpUrl.ToString().TrimEnd('/'), description.GetProperty("resolverRoot").GetString());
    }
}

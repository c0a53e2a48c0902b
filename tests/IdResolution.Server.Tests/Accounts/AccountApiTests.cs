using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Accounts;

/// <summary>The account API's answers to bad input: problem+json with the reason, and nothing stored.</summary>
public sealed class AccountApiTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    private NodeServer Node => fixture.Node;

    [Theory]
    [InlineData("""{"name":"Acme","creditCode":"91350100M000100Y44"}""", HttpStatusCode.BadRequest, "check character")]
    [InlineData("""{"name":"Acme","creditCode":"9135"}""", HttpStatusCode.BadRequest, "18 characters")]
    [InlineData("""{"creditCode":"91350100M000100Y43"}""", HttpStatusCode.BadRequest, "name must be")]
    [InlineData("""{"name":"Ac\u0000me","creditCode":"91350100M000100Y43"}""", HttpStatusCode.BadRequest, "name must be")]
    [InlineData("""{"name":"Acme","creditCode":"91350100M000100Y43","email":"nope"}""", HttpStatusCode.BadRequest, "email")]
    [InlineData("""{"name":"Acme",""", HttpStatusCode.BadRequest, "")]
    [InlineData("""[1,2]""", HttpStatusCode.BadRequest, "")]
    public async Task BadEnterprises_AreRefused_WithTheReason(string body, HttpStatusCode status, string reason)
    {
        var before = await CountEnterprisesAsync();
        using var response = await Node.SendAsync(HttpMethod.Post, "/admin/enterprises", body);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountEnterprisesAsync());
    }

    [Fact]
    public async Task ACreditCode_RegistersOneEnterpriseOnly()
    {
        var code = Tenant.NewCreditCode();
        using var first = await Node.SendAsync(HttpMethod.Post, "/admin/enterprises", JsonSerializer.Serialize(new { name = "First", creditCode = code }));
        using var second = await Node.SendAsync(HttpMethod.Post, "/admin/enterprises", JsonSerializer.Serialize(new { name = "Second", creditCode = code }));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(101, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("responseCode").GetInt32());
    }

    [Theory]
    [InlineData("""{"name":"k","role":"superuser","enterpriseId":ENTERPRISE}""", "role must be")]
    [InlineData("""{"name":"k","role":"writer"}""", "exactly one")]
    [InlineData("""{"name":"k","role":"operator","enterpriseId":ENTERPRISE}""", "operator and site keys belong to no enterprise")]
    [InlineData("""{"name":"k","role":"site","enterpriseId":ENTERPRISE,"identity":"300:0.NA/88.9"}""", "operator and site keys belong to no enterprise")]
    [InlineData("""{"name":"k","role":"site"}""", "a site key needs identity")]
    [InlineData("""{"name":"","role":"writer","enterpriseId":ENTERPRISE}""", "needs a name")]
    [InlineData("""{"name":"k","role":"writer","enterpriseId":ENTERPRISE,"expiresAt":"2001-01-01T00:00:00Z"}""", "in the past")]
    [InlineData("""{"name":"k","role":"writer","enterpriseId":ENTERPRISE,"expiresAt":"tomorrow"}""", "")]
    public async Task BadKeys_AreRefused_WithTheReason(string body, string reason)
    {
        var tenant = await Tenant.CreateAsync(Node);
        using var response = await Node.SendAsync(HttpMethod.Post, "/admin/keys", body.Replace("ENTERPRISE", tenant.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIssuedKey_IsShownOnce_AndWorks()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var key = await tenant.IssueAsync(Node, "writer");
        using var listed = await Node.SendAsync(HttpMethod.Get, $"/admin/keys?enterpriseId={tenant.Id}");
        using var used = await Node.SendAsAsync(key.Secret, HttpMethod.Put, $"/api/handles/{tenant.Prefix}/ok", """[{"index":1,"type":"URL","data":"https://ok.example"}]""");

        Assert.StartsWith("idr_", key.Secret, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Secret, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, used.StatusCode);
    }

    [Theory]
    [InlineData("""{"ttlSeconds":"soon"}""", "application/json")]
    [InlineData("""{"ttlSeconds":0}""", "application/json")]
    [InlineData("""[1]""", "application/json")]
    [InlineData("""{"ttlSeconds":""", "application/json")]
    [InlineData("""<ttl>1</ttl>""", "application/xml")]
    public async Task BadTokenRequests_AreRefusedAsProblems(string body, string contentType)
    {
        var tenant = await Tenant.CreateAsync(Node);
        var key = await tenant.IssueAsync(Node, "reader");
        using var request = Node.Request(HttpMethod.Post, "/auth/token");
        request.Headers.Authorization = NodeServer.Bearer(key.Secret);
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
        using var response = await Node.Http.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType, $"answered {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<int> CountEnterprisesAsync()
    {
        using var response = await Node.SendAsync(HttpMethod.Get, "/admin/enterprises");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("enterprises").GetArrayLength();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Compat;

/// <summary>The deployed nodes' API (<c>/identity</c>, <c>/identityv2</c>) through the real server, on PostgreSQL and Redis: shapes compared name by name.</summary>
public sealed class IdentityApiTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private NodeServer Node => fixture.Node;

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private async Task<(Tenant Tenant, string Token)> LoginAsync(string role = "admin")
    {
        var tenant = await Tenant.CreateAsync(Node);
        var key = await tenant.IssueAsync(Node, role);
        using var login = await Node.SendAsync(HttpMethod.Post, "/identity/token", JsonSerializer.Serialize(new { username = key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), password = key.Secret }), authorised: false);
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(["status", "message", "data"], Names(body));
        Assert.Equal(1, body.GetProperty("status").GetInt32());
        Assert.Equal("success", body.GetProperty("message").GetString());
        return (tenant, body.GetProperty("data").GetProperty("token").GetString()!);
    }

    private static string Record(string handle, string? templateVersion, params (int Index, string Type, string Value)[] values) => JsonSerializer.Serialize(new
    {
        handle,
        templateVersion,
        value = values.Select(v => new { index = v.Index, type = v.Type, auth = "", data = new { format = "string", value = v.Value } }),
    });

    [Fact]
    public async Task ALoggedInEnterprise_RegistersReadsUpdatesAndDeletes_InTheDeployedShape()
    {
        var (tenant, token) = await LoginAsync();
        var handle = $"{tenant.Prefix}/xx002";

        using var created = await Node.SendAsAsync(token, HttpMethod.Post, "/identityv2/data", Record(handle, null, (1, "URL", "https://a.example"), (2000, "name", "洗发水")));
        var detail = await Node.Http.GetFromJsonAsync<JsonElement>($"/identityv2/data/detail?handle={handle}");
        using var updated = await Node.SendAsAsync(token, HttpMethod.Put, "/identityv2/data", Record(handle, null, (2000, "name", "护发素")));
        var afterUpdate = await Node.Http.GetFromJsonAsync<JsonElement>($"/identityv2/data/detail?handle={handle}");
        using var deleted = await Node.SendAsAsync(token, HttpMethod.Delete, $"/identityv2/data?handle={handle}");
        using var gone = await Node.Http.GetAsync($"/identityv2/data/detail?handle={handle}");
        var goneBody = await gone.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(1, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.Equal(["status", "message", "data"], Names(detail));
        var data = detail.GetProperty("data");
        Assert.Equal(["handle", "value", "templateVersion"], Names(data));
        Assert.Equal(handle, data.GetProperty("handle").GetString());
        var value = data.GetProperty("value")[1];
        Assert.Equal(["index", "type", "auth", "data"], Names(value));
        Assert.Equal(["format", "value"], Names(value.GetProperty("data")));
        Assert.Equal("洗发水", value.GetProperty("data").GetProperty("value").GetString());
        Assert.Equal("", value.GetProperty("auth").GetString());
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("护发素", afterUpdate.GetProperty("data").GetProperty("value")[0].GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(100, goneBody.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, goneBody.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task APrefixTemplate_ChecksRecordsNamingItsVersion()
    {
        var (tenant, token) = await LoginAsync();
        var template = JsonSerializer.Serialize(new
        {
            prefix = tenant.Prefix,
            version = "1.0",
            industryCategory = "C26",
            industrySpecific = "268",
            industryTrade = "2682",
            industrySubclass = "shampoo",
            items = new[]
            {
                new { name = "产品名称", idType = "name", idIndex = 2000, required = true, metadata = new { type = "string", minLength = 1, maxLength = 10 } },
                new { name = "批次", idType = "batch", idIndex = 2001, required = true, metadata = new { type = "string", minLength = 1, maxLength = 20 } },
            },
        });

        using var saved = await Node.SendAsAsync(token, HttpMethod.Post, "/identityv2/template", template);
        var detail = await Node.Http.GetFromJsonAsync<JsonElement>($"/identityv2/template/detail?prefix={tenant.Prefix}&version=1.0");
        using var bad = await Node.SendAsAsync(token, HttpMethod.Post, "/identityv2/data", Record($"{tenant.Prefix}/T-1", "1.0", (2000, "name", "a very long product name")));
        var badBody = await bad.Content.ReadFromJsonAsync<JsonElement>();
        using var good = await Node.SendAsAsync(token, HttpMethod.Post, "/identityv2/data", Record($"{tenant.Prefix}/T-2", "1.0", (2000, "name", "洗发水"), (2001, "batch", "B1")));
        var record = await Node.Http.GetFromJsonAsync<JsonElement>($"/identityv2/data/detail?handle={tenant.Prefix}/T-2");

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(["prefix", "version", "industryCategory", "industrySpecific", "industryTrade", "industrySubclass", "items", "status", "createdAt"], Names(detail.GetProperty("data")));
        Assert.Equal(["name", "idType", "idIndex", "required", "metadata"], Names(detail.GetProperty("data").GetProperty("items")[0]));
        Assert.Equal("产品名称", detail.GetProperty("data").GetProperty("items")[0].GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(202, badBody.GetProperty("status").GetInt32());
        Assert.Equal([("name", "maxLength"), ("batch", "required")], badBody.GetProperty("data").GetProperty("violations").EnumerateArray().Select(v => (v.GetProperty("field").GetString(), v.GetProperty("rule").GetString())));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal("1.0", record.GetProperty("data").GetProperty("templateVersion").GetString());
    }

    [Fact]
    public async Task Batches_AnswerEachItem_AndKeepTheGoodOnes()
    {
        var (tenant, token) = await LoginAsync("writer");
        var batch = JsonSerializer.Serialize(new object[]
        {
            new { handle = $"{tenant.Prefix}/B-1", value = new[] { new { index = 1, type = "URL", auth = "", data = new { format = "string", value = "https://1.example" } } } },
            new { handle = $"{tenant.Prefix}/B-2", value = new[] { new { index = 0, type = "URL", auth = "", data = new { format = "string", value = "https://2.example" } } } },
            new { handle = $"{tenant.Prefix}/B-3", value = new[] { new { index = 1, type = "URL", auth = "owner", data = new { format = "string", value = "https://3.example" } } } },
        });

        using var created = await Node.SendAsAsync(token, HttpMethod.Post, "/identityv2/data/batchCreate", batch);
        var result = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
        var anonymousRestricted = await Node.Http.GetFromJsonAsync<JsonElement>($"/identityv2/data/detail?handle={tenant.Prefix}/B-3");
        using var deleted = await Node.SendAsAsync(token, HttpMethod.Post, "/identityv2/data/batchDelete", JsonSerializer.Serialize(new[] { $"{tenant.Prefix}/B-1", $"{tenant.Prefix}/B-3", $"{tenant.Prefix}/NOPE" }));
        var deletion = (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");

        Assert.Equal((3, 2, 1), (result.GetProperty("total").GetInt32(), result.GetProperty("succeeded").GetInt32(), result.GetProperty("failed").GetInt32()));
        Assert.Equal([1, 202, 1], result.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetInt32()));
        Assert.Empty(anonymousRestricted.GetProperty("data").GetProperty("value").EnumerateArray());
        Assert.Equal([1, 1, 100], deletion.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetInt32()));
    }

    [Theory]
    [InlineData("/identity/token", """{"username":"\ud800","password":"x"}""")]
    [InlineData("/identityv2/data", """{"handle":"88.118.8.1001/x","value":[{"index":1,"type":"\ud800","data":"x"}]}""")]
    [InlineData("/identityv2/data/batchCreate", """[{"handle":"\ud800"},{"handle":"88.118.8.1001/y","value":[{"index":1,"type":"URL","auth":"\ud800","data":"x"}]}]""")]
    [InlineData("/identityv2/template", """{"prefix":"88.118.8.1001","version":"9","items":[{"idType":"a","idIndex":"2000"}]}""")]
    [InlineData("/identityv2/template", """{"prefix":"88.118.8.1001","version":"9","items":[{"idType":"a","idIndex":2000,"required":1.5}]}""")]
    [InlineData("/api/templates", """{"name":"\ud800","version":"1","fields":[]}""")]
    [InlineData("/api/templates", """{"name":"x-comment","version":"1","fields":[{"name":"a","index":2000,"type":"string","pattern":"(?x)[A-Z]+ # comment"}]}""")]
    public async Task HostileBodies_AreRefusedNeverFailed(string path, string body)
    {
        using var answer = await Node.SendAsync(HttpMethod.Post, path, body);

        Assert.True((int)answer.StatusCode < 500, $"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task LoggingInBeforeEveryCall_NeverRunsOutOfTokens_TheOldestIsRetired()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var key = await tenant.IssueAsync(Node, "writer");
        var login = JsonSerializer.Serialize(new { username = key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), password = key.Secret });
        var tokens = new List<string>();
        for (var i = 0; i < 102; i++)
        {
            using var answer = await Node.SendAsync(HttpMethod.Post, "/identity/token", login, authorised: false);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            tokens.Add((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("token").GetString()!);
        }

        using var first = await Node.SendAsAsync(tokens[0], HttpMethod.Get, $"/api/handles?prefix={tenant.Prefix}");
        using var last = await Node.SendAsAsync(tokens[^1], HttpMethod.Get, $"/api/handles?prefix={tenant.Prefix}");

        Assert.Equal(HttpStatusCode.Forbidden, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
    }

    [Fact]
    public async Task WrongPasswords_OtherTenants_AndAnonymousWriters_AreRefusedInTheEnvelope()
    {
        var (tenant, _) = await LoginAsync();
        var (_, otherToken) = await LoginAsync();
        var key = await tenant.IssueAsync(Node, "writer");

        using var wrongPassword = await Node.SendAsync(HttpMethod.Post, "/identity/token", JsonSerializer.Serialize(new { username = key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), password = "nope" }), authorised: false);
        using var wrongUser = await Node.SendAsync(HttpMethod.Post, "/identity/token", JsonSerializer.Serialize(new { username = "someone", password = key.Secret }), authorised: false);
        using var otherTenant = await Node.SendAsAsync(otherToken, HttpMethod.Post, "/identityv2/data", Record($"{tenant.Prefix}/X", null, (1, "URL", "https://x.example")));
        using var anonymous = await Node.SendAsync(HttpMethod.Post, "/identityv2/data", Record($"{tenant.Prefix}/Y", null, (1, "URL", "https://y.example")), authorised: false);

        foreach (var (answer, code) in new[] { (wrongPassword, 403), (wrongUser, 403), (otherTenant, 401), (anonymous, 402) })
        {
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["status", "message", "data"], Names(body));
            Assert.Equal(code, body.GetProperty("status").GetInt32());
            Assert.False(answer.IsSuccessStatusCode);
        }
    }
}

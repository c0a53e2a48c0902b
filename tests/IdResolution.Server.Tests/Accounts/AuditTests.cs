using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Accounts;

/// <summary>Every write leaves who, what, when, from where and the versions; operators query it.</summary>
public sealed class AuditTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private const string Values = """[{"index":1,"type":"URL","data":"https://a.example"}]""";

    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task AWritersChanges_ShowInTheAudit_ByHandlePrefixAndKey()
    {
        var a = await Tenant.CreateAsync(Node);
        var writer = await a.IssueAsync(Node, "writer");
        var handle = $"{a.Prefix}/Au-1";
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{handle}", Values)).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{handle}?index=2", """[{"index":2,"type":"EMAIL","data":"a@example.com"}]""")).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Delete, $"/api/handles/{handle}")).EnsureSuccessStatusCode();
        var refused = await Node.SendAsAsync(writer.Secret, HttpMethod.Delete, $"/api/handles/{handle}");

        var byHandle = await EntriesAsync($"/admin/audit?handle={handle}");
        var byPrefix = await EntriesAsync($"/admin/audit?prefix={a.Prefix}&from={Uri.EscapeDataString(started.ToString("O"))}");
        var byKey = await EntriesAsync($"/admin/audit?keyId={writer.Id}");
        var byAccount = await EntriesAsync($"/admin/audit?enterpriseId={a.Id}");

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal(["handle.delete", "handle.update", "handle.create"], byHandle.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(new (long?, long?)[] { (2, null), (1, 2), (null, 1) }, byHandle.Select(e => (Version(e, "versionBefore"), Version(e, "versionAfter"))));
        Assert.All(byHandle, e =>
        {
            Assert.Equal(writer.Id, e.GetProperty("keyId").GetInt64());
            Assert.Equal(a.Id, e.GetProperty("enterpriseId").GetInt64());
            Assert.Equal($"writer of {a.Prefix}", e.GetProperty("actor").GetString());
            Assert.Equal("127.0.0.1", e.GetProperty("address").GetString());
        });
        Assert.Equal(["handle.delete", "handle.update", "handle.create", "prefix.create"], byPrefix.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(byHandle.Select(e => e.GetProperty("id").GetInt64()), byKey.Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal(byHandle.Select(e => e.GetProperty("id").GetInt64()), byAccount.Select(e => e.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task AccountChanges_AreAudited_AndTheAuditIsForOperatorsOnly()
    {
        var a = await Tenant.CreateAsync(Node);
        var admin = await a.IssueAsync(Node, "admin");
        (await Node.SendAsync(HttpMethod.Delete, $"/admin/keys/{admin.Id}")).EnsureSuccessStatusCode();
        var reader = await a.IssueAsync(Node, "reader");

        var entries = await EntriesAsync($"/admin/audit?limit=1000");
        using var asReader = await Node.SendAsAsync(reader.Secret, HttpMethod.Get, "/admin/audit");
        using var anonymous = await Node.SendAsync(HttpMethod.Get, "/admin/audit", authorised: false);

        var targets = entries.Select(e => (e.GetProperty("action").GetString(), e.GetProperty("target").GetString())).ToList();
        var issue = entries.Single(e => e.GetProperty("action").GetString() == "key.issue" && e.GetProperty("target").GetString() == $"key:{admin.Id}");
        Assert.Equal($"role=admin enterprise={a.Id}", issue.GetProperty("detail").GetString());
        Assert.Equal("bootstrap operator", issue.GetProperty("actor").GetString());
        Assert.Contains(("enterprise.create", $"enterprise:{a.Id}"), targets);
        Assert.Contains(("key.issue", $"key:{admin.Id}"), targets);
        Assert.Contains(("key.revoke", $"key:{admin.Id}"), targets);
        Assert.Equal(HttpStatusCode.Forbidden, asReader.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AuditPages_FollowTheLinkHeader_WithoutGapsOrRepeats()
    {
        var a = await Tenant.CreateAsync(Node);
        for (var i = 0; i < 5; i++)
        {
            (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{a.Prefix}/Pg-{i}", Values)).EnsureSuccessStatusCode();
        }

        var seen = new List<long>();
        var next = $"/admin/audit?prefix={a.Prefix}&limit=2";
        while (next is not null)
        {
            using var page = await Node.SendAsync(HttpMethod.Get, next);
            seen.AddRange((await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            next = page.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
        }

        Assert.Equal(6, seen.Count);
        Assert.Equal(seen.OrderByDescending(id => id), seen);
        Assert.Equal(6, seen.Distinct().Count());
    }

    private static long? Version(JsonElement entry, string name) =>
        entry.GetProperty(name).ValueKind == JsonValueKind.Null ? null : entry.GetProperty(name).GetInt64();

    private async Task<List<JsonElement>> EntriesAsync(string path)
    {
        using var response = await Node.SendAsync(HttpMethod.Get, path);
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray()];
    }
}

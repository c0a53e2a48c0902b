using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Registry;
using IdResolution.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdResolution.Server.Tests.Hostile;

/// <summary>
/// What a hostile client sends, against a real node on PostgreSQL and Redis: each gets a clear answer in its
/// protocol's terms, never a 5xx, a hang or a change to stored data.
/// </summary>
public sealed class HostileInputTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private const string Prefix = NodeFixture.EnterprisePrefix;
    private const string Values = """[{"index":1,"type":"URL","data":"https://sentinel.example"}]""";

    private NodeServer Node => fixture.Node;

    public static TheoryData<string> HostileNames => new()
    {
        $"{Prefix}/%00abc",
        $"{Prefix}/a%0Ab",
        $"{Prefix}/a%7Fb",
        $"{Prefix}/%C3%28",
        $"{Prefix}/%FF%FE%FD",
        $"{Prefix}/%ED%A0%80",
        $"{Prefix}/" + new string('a', 5000),
        $"{Prefix}/../../../../etc/passwd",
        $"{Prefix}/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        $"{Prefix}/..%252f..%252fx",
        "88.118.8.100%D0%B0/confusable",
        "%EF%BC%98%EF%BC%98.118.8.1001/fullwidth",
        "88.118.8.1001%E2%80%8B/zero-width",
        "88..118/empty-segment",
        "/no-prefix",
        "no-slash-at-all",
        $"{Prefix}/x'; DROP TABLE handles;--",
        $"{Prefix}/%27%20OR%20%271%27%3D%271",
        "oid:1.2.%00",
        "oid:1." + new string('9', 5000),
        "1." + string.Concat(Enumerable.Repeat("2.", 2000)) + "3",
        "OID/1.2.-3",
        "GS1/01/%ZZ",
        "GS1/01/09506000134352/21/%00",
        "GS1/01/09506000134352/21/" + new string('a', 5000),
        "GS1/8004/ABC",
        "GS1/01/09506000134352/10/a/10/b",
        "GS1.9506000/handle-in-a-company-prefix",
    };

    /// <summary>Digital Link requests with broken keys, encodings, queries and headers.</summary>
    public static TheoryData<string, string> HostileDigitalLinks => new()
    {
        { "/01/%ZZ", "" },
        { "/01/09506000134352/21/%00", "" },
        { "/01/09506000134352/21/" + new string('a', 5000), "" },
        { "/01/09506000134352/10/a/10/b", "" },
        { "/01/09506000134352/", "" },
        { "/01/09506000134352//21/x", "" },
        { "/00/abc", "" },
        { "/8004/%C3%28", "" },
        { "/8004/ABC", "" },
        { "/414/..%2f..%2fetc", "" },
        { "/01/09506000134352?linkType=" + new string('x', 4000), "" },
        { "/01/09506000134352?context=%00&linkType=%FF", "" },
        { "/01/09506000134352?linkType=all", "Accept: application/linkset+json;q=abc, */*;q=-1\r\n" },
        { "/01/09506000134352", "Accept-Language: ;;;,q=2,zh-CN;q=nan,\u0001\r\n" },
    };

    [Theory]
    [MemberData(nameof(HostileDigitalLinks))]
    public async Task HostileDigitalLinks_AreAnsweredWithoutAServerError(string target, string headers)
    {
        var answer = await RawHttp.SendAsync(Node.HttpUrl, "GET", target, null, headers);

        Assert.True(answer.Status is >= 200 and < 500, $"GET {target} answered {answer.Status}: {answer.Body}");
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task HostileNames_GetAClearAnswer_OnEveryRoute_AndChangeNothing(string name)
    {
        var sentinel = await SentinelAsync();
        foreach (var (method, target, body) in new[]
        {
            ("GET", $"/api/handles/{name}", (string?)null),
            ("PUT", $"/api/handles/{name}?overwrite=false", Values),
            ("DELETE", $"/api/handles/{name}", null),
            ("GET", $"/{name}?noredirect", null),
            ("GET", $"/api/handles?prefix={name}", null),
        })
        {
            var answer = await RawHttp.SendAsync(Node.HttpUrl, method, target, body, body is null ? null : "Content-Type: application/json\r\n");
            Assert.True(answer.Status is >= 200 and < 500, $"{method} {target} answered {answer.Status}: {answer.Body}");
            if (answer.Status >= 400 && target.StartsWith("/api/", StringComparison.Ordinal) && answer.Body.Length > 0)
            {
                Assert.True(JsonDocument.Parse(answer.Body).RootElement.TryGetProperty("responseCode", out _), answer.Body);
            }
        }

        await AssertUnchangedAsync(sentinel);
    }

    [Fact]
    public async Task InjectionStrings_AreStoredAndFoundLiterally_NeverRun()
    {
        const string injection = "x'); DELETE FROM handles; --\"";
        var handle = $"{Prefix}/{Uri.EscapeDataString(injection)}";
        var sentinel = await SentinelAsync();

        var values = JsonSerializer.Serialize(new[] { new { index = 1, type = injection, data = injection } });
        using var put = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", values);
        var back = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{handle}");
        using var listed = await Node.SendAsync(HttpMethod.Get, $"/api/handles?prefix={Uri.EscapeDataString(Prefix + "' OR '1'='1")}");
        using var audit = await Node.SendAsync(HttpMethod.Get, $"/admin/audit?handle={Uri.EscapeDataString(Prefix + "/' OR 1=1 --")}");
        using var statistics = await Node.SendAsync(HttpMethod.Get, $"/api/statistics?prefix={Uri.EscapeDataString("1' OR '1'='1")}");
        using var enterprise = await Node.SendAsync(HttpMethod.Post, "/admin/enterprises", JsonSerializer.Serialize(new { name = injection, creditCode = Tenant.NewCreditCode() }));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(injection, back.GetProperty("values")[0].GetProperty("type").GetString());
        Assert.Equal(injection, back.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, listed.StatusCode);
        Assert.True(audit.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"audit answered {audit.StatusCode}");
        Assert.True(statistics.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"statistics answered {statistics.StatusCode}");
        Assert.Equal(HttpStatusCode.Created, enterprise.StatusCode);
        Assert.Equal(injection, (await enterprise.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        await AssertUnchangedAsync(sentinel);
    }

    public static TheoryData<string, string, int> BadBodies => new()
    {
        { "application/json", "{", 400 },
        { "application/json", """[{"index":""", 400 },
        { "application/json", new string('[', 10_000) + new string(']', 10_000), 400 },
        { "application/json", "{\"values\":" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 41), 400 },
        { "application/json", """[{"index":1,"type":"URL","data":"\uD800"}]""", 400 },
        { "application/json", "\uFEFF\u0000\u0001", 400 },
        { "application/json", """[{"index":-5,"type":"URL","data":"x"}]""", 400 },
        { "application/json", """[{"index":1,"type":"URL","data":{"format":"base64","value":"!!!"}}]""", 400 },
        { "application/json", """[{"index":1,"type":"URL","data":{"format":"admin","value":{"handle":"","index":"x"}}}]""", 400 },
        { "application/xml", "<values><value index=\"1\"/></values>", 415 },
        { "multipart/form-data; boundary=x", "--x\r\n\r\nhello\r\n--x--", 415 },
        { "application/octet-stream", "\u0001\u0002", 415 },
        { "not a media type", "[]", 415 },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBodies_AreRefusedInHandleTerms_AndStoreNothing(string contentType, string body, int status)
    {
        var handle = $"{Prefix}/BODY-{Guid.NewGuid():N}";
        var answer = await RawHttp.SendAsync(Node.HttpUrl, "PUT", $"/api/handles/{handle}", body, $"Content-Type: {contentType}\r\n");

        Assert.Equal(status, answer.Status);
        // 4: not JSON, or not a JSON media type; 202: JSON, but not a valid value.
        Assert.Contains(JsonDocument.Parse(answer.Body).RootElement.GetProperty("responseCode").GetInt32(), new[] { 4, 202 });
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/api/handles/{handle}?auth=true")).StatusCode);
    }

    [Fact]
    public async Task AnOversizedBody_Is413_AndAHugeHeaderOrUrlIsRefusedByHttp()
    {
        // The node refuses from the announced length and closes: sending all 2 MB would race that close.
        var big = await RawHttp.SendAsync(Node.HttpUrl, "PUT", $"/api/handles/{Prefix}/BIG", "[", "Content-Type: application/json\r\n", declaredLength: 2 * 1024 * 1024);
        var longUrl = await RawHttp.SendAsync(Node.HttpUrl, "GET", $"/api/handles/{Prefix}/" + new string('u', 40_000));
        var longHeader = await RawHttp.SendAsync(Node.HttpUrl, "GET", $"/api/handles/{Prefix}/x", extraHeaders: $"X-Junk: {new string('h', 40_000)}\r\n");

        Assert.Equal(413, big.Status);
        Assert.Equal(4, JsonDocument.Parse(big.Body).RootElement.GetProperty("responseCode").GetInt32());
        Assert.Equal(414, longUrl.Status);
        Assert.Equal(431, longHeader.Status);
    }

    [Fact]
    public async Task AnEnumerationFlood_IsAnsweredNotFound_AndRepeatingItIsAnsweredFromMemory()
    {
        // 500 names: both passes must fit in the negative answers' 5 s lifetime (Cache:NegativeDuration) on a loaded machine.
        var names = Enumerable.Range(0, 500).Select(i => $"{Prefix}/ENUM-{Guid.NewGuid():N}").ToList();
        // Answers read while an earlier test's writes are still being invalidated are not cached (by design): wait those out.
        await Node.SecondInvalidationsDoneAsync();
        // The first pass one request at a time, so that each read is quick: a read slower than a quarter of the
        // invalidation delay is cached for that delay only (it may have raced a write), and a test run loads the machine.
        await FloodAsync(names, parallel: 2);

        using var registryReads = new NodeMetric(Node, "idres.cache.lookups", "layer", "registry");
        using var memoryHits = new NodeMetric(Node, "idres.cache.lookups", "layer", "memory");
        await FloodAsync(names, parallel: 16);

        Assert.InRange(registryReads.Total, 0, names.Count / 20);
        Assert.InRange(memoryHits.Total, names.Count - (names.Count / 20), names.Count);
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync("/readyz")).StatusCode);
    }

    private async Task FloodAsync(List<string> names, int parallel) =>
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, token) =>
        {
            using var response = await Node.Http.GetAsync($"/api/handles/{name}", token);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        });

    /// <summary>A record that must survive the test untouched, and how many handles the registry holds.</summary>
    private async Task<(string Handle, string Body, long Count)> SentinelAsync()
    {
        var handle = $"{Prefix}/SENTINEL-{Guid.NewGuid():N}";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", Values)).EnsureSuccessStatusCode();
        return (handle, await Node.Http.GetStringAsync($"/api/handles/{handle}?auth=true"), await CountAsync());
    }

    private async Task AssertUnchangedAsync((string Handle, string Body, long Count) sentinel)
    {
        Assert.Equal(sentinel.Body, await Node.Http.GetStringAsync($"/api/handles/{sentinel.Handle}?auth=true"));
        Assert.True(await CountAsync() >= sentinel.Count, "handles disappeared");
    }

    private async Task<long> CountAsync()
    {
        await using var scope = Node.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryContext>();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.LongCountAsync(db.Handles);
    }
}

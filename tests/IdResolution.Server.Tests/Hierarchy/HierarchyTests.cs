using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using IdResolution.Contracts.V1;
using IdResolution.Core;
using IdResolution.Core.Native;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Hierarchy;

/// <summary>
/// Three nodes on loopback: a top-level node T, and secondary nodes A and B, each with its own database. Prefixes created
/// on B are filed with T; identifiers on B resolve through A (HTTP, gRPC, native), from A's cache while B is away until the
/// TTL, and a filing made while T is down completes when it returns.
/// </summary>
public sealed class HierarchyTests(HierarchyNodes nodes) : IClassFixture<HierarchyNodes>
{
    [Fact]
    public async Task APrefixCreatedOnB_IsFiledWithT_AsASiteRecordNamingBsNativePort()
    {
        var b = await nodes.StartSecondaryAsync("88.118.21", "node-b21");

        (await b.SendAsync(HttpMethod.Post, "/api/prefixes/88.118.21.2002")).EnsureSuccessStatusCode();

        var site = await FiledSiteAsync(nodes.TopLevel, "88.118.21.2002");
        Assert.Equal("127.0.0.1", site.GetProperty("servers")[0].GetProperty("address").GetString());
        Assert.True(site.GetProperty("primaryMask").GetProperty("primary").GetBoolean());
        Assert.Equal(0, site.GetProperty("attributes").GetArrayLength());
        var interfaces = site.GetProperty("servers")[0].GetProperty("interfaces").EnumerateArray().ToList();
        Assert.Equal(["TCP", "UDP"], interfaces.Select(i => i.GetProperty("protocol").GetString()));
        Assert.All(interfaces, i => Assert.Equal(b.NativePort, i.GetProperty("port").GetInt32()));
        Assert.All(interfaces, i => Assert.True(i.GetProperty("query").GetBoolean()));
        // B's own node prefix was filed at its first start; the operator view shows both acknowledged.
        await FiledSiteAsync(nodes.TopLevel, "88.118.21");
        var filings = await JsonAsync(b, "/api/hierarchy/filings");
        Assert.All(filings.GetProperty("filings").EnumerateArray(), f => Assert.NotEqual(JsonValueKind.Null, f.GetProperty("deliveredAt").ValueKind));
        // Every start re-files what the node serves, so a start retried on other ports (NodeServer) adds a row: the
        // prefixes filed are what counts.
        Assert.Equal(["88.118.21", "88.118.21.2002"], filings.GetProperty("filings").EnumerateArray().Select(f => f.GetProperty("prefix").GetString()).Distinct().Order(StringComparer.Ordinal));
        // The prefix record itself is the top-level node's: A asks T for it.
        using var record = await nodes.A.Http.GetAsync("/api/handles/0.NA/88.118.21.2002");
        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
        var values = (await record.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(["HS_SITE"], values.Select(v => v.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task AnIdentifierOnB_ResolvesThroughA_OverHttpGrpcAndTheNativeProtocol()
    {
        var b = await nodes.StartSecondaryAsync("88.118.22", "node-b22");
        await RegisterAsync(b, "88.118.22/PART-1", "https://b.example/part-1", ttl: 600);
        await FiledSiteAsync(nodes.TopLevel, "88.118.22");

        using var http = await nodes.A.Http.GetAsync("/api/handles/88.118.22/PART-1");
        var grpc = await new Resolver.ResolverClient(nodes.A.Channel).ResolveAsync(new ResolveRequest { Handle = "88.118.22/PART-1" });
        var native = await NativeAsync(nodes.A.NativePort, NativeRequests.Resolution(77, "88.118.22/PART-1", [], OpFlags.Recursive | OpFlags.PublicOnly, 0, Now()));
        var batch = await new Resolver.ResolverClient(nodes.A.Channel).BatchResolveAsync(new BatchResolveRequest { Handles = { "88.118.22/PART-1", "88.118.22/NONE", "88.118.8/NONE" } });

        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.Equal("https://b.example/part-1", UrlOf(await http.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal("https://b.example/part-1", grpc.Values.Single(v => v.Type == "URL").Data.ToStringUtf8());
        Assert.Equal((ResponseCode.Success, 77), (native.Code, native.RequestId));
        Assert.Equal("https://b.example/part-1", Encoding.UTF8.GetString(native.Values.Single(v => v.Type == "URL").Data));
        Assert.Equal([1u, 100u, 100u], batch.Results.Select(r => r.ResponseCode));
        Assert.Equal("https://b.example/part-1", batch.Results[0].Values.Single(v => v.Type == "URL").Data.ToStringUtf8());
    }

    [Fact]
    public async Task ManyCallersMissingTogether_CostASlowSiteOneRequest()
    {
        // A site that takes 300 ms to answer: far longer than the cache's per-key lock waits.
        await using var site = await SlowSite.StartAsync(TimeSpan.FromMilliseconds(300));
        (await nodes.TopLevel.SendAsync(HttpMethod.Put, "/api/hierarchy/prefixes/88.118.42", $$"""{"address":"127.0.0.1","port":{{site.Port}}}""")).EnsureSuccessStatusCode();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => nodes.A.Http.GetAsync("/api/handles/88.118.42/HOT")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(1, site.Requests);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task WithBStopped_AServesItsCopyUntilTheTtl_ThenAClearError()
    {
        const int ttl = 6;
        var b = await nodes.StartSecondaryAsync("88.118.23", "node-b23");
        await RegisterAsync(b, "88.118.23/LOT-7", "https://b.example/lot-7", ttl);
        await FiledSiteAsync(nodes.TopLevel, "88.118.23");
        var cachedAt = DateTime.UtcNow;
        using var first = await nodes.A.Http.GetAsync("/api/handles/88.118.23/LOT-7");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        await nodes.StopAsync(b);
        using var cached = await nodes.A.Http.GetAsync("/api/handles/88.118.23/LOT-7");
        var cachedNative = await NativeAsync(nodes.A.NativePort, NativeRequests.Resolution(5, "88.118.23/LOT-7", [], OpFlags.Recursive, 0, Now()));
        var servedFor = DateTime.UtcNow - cachedAt;
        HttpResponseMessage? failed = null;
        await Eventually.HoldsAsync(async () =>
        {
            failed?.Dispose();
            failed = await nodes.A.Http.GetAsync("/api/handles/88.118.23/LOT-7");
            return failed.StatusCode != HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "A's copy expiring");
        var expiredAfter = DateTime.UtcNow - cachedAt;

        Assert.True(servedFor < TimeSpan.FromSeconds(ttl), $"the copy was checked only {servedFor} after it was cached");
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal("https://b.example/lot-7", UrlOf(await cached.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal(ResponseCode.Success, cachedNative.Code);
        // The TTL the native client is given counts down: it is an absolute expiry, no later than B's.
        var url = cachedNative.Values.Single(v => v.Type == "URL");
        Assert.Equal(IdResolution.Core.Values.TtlType.Absolute, url.TtlType);
        Assert.InRange(url.Ttl, Now() - ttl, Now() + ttl);
        // Never served past the TTL: it failed within the TTL plus the polling's slack.
        Assert.InRange(expiredAfter, TimeSpan.FromSeconds(ttl - 1), TimeSpan.FromSeconds(ttl + 3));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed!.StatusCode);
        var error = await failed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)ResponseCode.ServerTooBusy, error.GetProperty("responseCode").GetInt32());
        Assert.Equal("88.118.23 is not served here, and the node asked about it could not be reached; retry later", error.GetProperty("message").GetString());
        failed.Dispose();
    }

    [Fact]
    public async Task AFilingMadeWhileTIsDown_CompletesWhenTReturns()
    {
        var port = Ports.Free();
        var native = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var topLevelUrl = new Uri($"http://127.0.0.1:{port}/");
        var tSettings = HierarchyNodes.TopLevelSettings();
        (tSettings["Node:HttpUrl"], tSettings["Native:Port"]) = (topLevelUrl.ToString(), native);
        var t = await nodes.StartAsync(tSettings);
        var key = await HierarchyNodes.IssueSiteKeyAsync(t, "node-b24", "88.118.24");
        var tDatabase = await nodes.StopAsync(t);

        var b = await nodes.StartAsync(HierarchyNodes.Secondary(topLevelUrl, int.Parse(native, System.Globalization.CultureInfo.InvariantCulture), "88.118.24", key));
        (await b.SendAsync(HttpMethod.Post, "/api/prefixes/88.118.24.7")).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () =>
        {
            var pending = (await JsonAsync(b, "/api/hierarchy/filings?pending=true")).GetProperty("filings").EnumerateArray().ToList();
            return pending.Count >= 2 && pending.All(f => f.GetProperty("attempts").GetInt32() >= 2 && f.GetProperty("lastError").GetString() is { Length: > 0 });
        }, TimeSpan.FromSeconds(20), "failed attempts to reach T");

        t = await nodes.StartAsync(tSettings, tDatabase);

        await FiledSiteAsync(t, "88.118.24.7");
        await FiledSiteAsync(t, "88.118.24");
        await Eventually.HoldsAsync(
            async () => (await JsonAsync(b, "/api/hierarchy/filings?pending=true")).GetProperty("filings").GetArrayLength() == 0,
            TimeSpan.FromSeconds(10), "no filing left pending");
    }

    [Fact]
    public async Task PrefixesServedBeforeTheNodeHadATopLevelNode_AreFiledWhenItGetsOne()
    {
        var standalone = await nodes.StartAsync(new() { ["Node:Prefix"] = "88.118.36" });
        (await standalone.SendAsync(HttpMethod.Post, "/api/prefixes/88.118.36.1")).EnsureSuccessStatusCode();
        var database = await nodes.StopAsync(standalone);

        var key = await HierarchyNodes.IssueSiteKeyAsync(nodes.TopLevel, "node-b36", "88.118.36");
        await nodes.StartAsync(HierarchyNodes.Secondary(nodes.TopLevel.HttpUrl, nodes.TopLevel.NativePort, "88.118.36", key), database);

        await FiledSiteAsync(nodes.TopLevel, "88.118.36");
        await FiledSiteAsync(nodes.TopLevel, "88.118.36.1");
    }

    [Fact]
    public async Task DeletingAPrefixOnB_UnfilesIt()
    {
        var b = await nodes.StartSecondaryAsync("88.118.25", "node-b25");
        (await b.SendAsync(HttpMethod.Post, "/api/prefixes/88.118.25.3")).EnsureSuccessStatusCode();
        await FiledSiteAsync(nodes.TopLevel, "88.118.25.3");

        using var deleted = await b.SendAsync(HttpMethod.Delete, "/api/prefixes/88.118.25.3");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Eventually.HoldsAsync(async () =>
        {
            using var record = await nodes.TopLevel.Http.GetAsync("/api/handles/0.NA/88.118.25.3?auth=true");
            return record.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10), "T dropping 0.NA/88.118.25.3");
        Assert.Equal("unfile", (await JsonAsync(b, "/api/hierarchy/filings")).GetProperty("filings")[0].GetProperty("action").GetString());
    }

    [Fact]
    public async Task AskedWithoutRecursion_AReferstoTheSite()
    {
        var b = await nodes.StartSecondaryAsync("88.118.26", "node-b26");
        await RegisterAsync(b, "88.118.26/X", "https://b.example/x", ttl: 600);
        await FiledSiteAsync(nodes.TopLevel, "88.118.26");

        var answer = await NativeAsync(nodes.A.NativePort, NativeRequests.Resolution(9, "88.118.26/X", [], OpFlags.PublicOnly, 0, Now()));

        Assert.Equal((ResponseCode.ServiceReferral, "0.NA/88.118.26"), (answer.Code, answer.ReferralHandle));
        Assert.True(SiteInfoRecord.TryDecode(Assert.Single(answer.Values, v => v.Type == "HS_SITE").Data, out var site));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, b.NativePort), site.TcpQueryEndpoint());
        Assert.DoesNotContain(answer.Values, v => v.Type == "HS_FILED_BY");
    }

    [Fact]
    public async Task TheTopLevelNode_RefersCallersToTheSiteItHoldsARecordOf()
    {
        var b = await nodes.StartSecondaryAsync("88.118.43", "node-b43");
        await FiledSiteAsync(nodes.TopLevel, "88.118.43");

        using var http = await nodes.TopLevel.Http.GetAsync("/api/handles/88.118.43.9/ANY");
        var native = await NativeAsync(nodes.TopLevel.NativePort, NativeRequests.Resolution(8, "88.118.43/ANY", [], OpFlags.Recursive, 0, Now()));
        using var nowhere = await nodes.TopLevel.Http.GetAsync("/api/handles/77.1/ANY");

        // Derived prefixes are referred to the site of the nearest filed ancestor; a top-level node never recurses.
        Assert.Equal(HttpStatusCode.MultipleChoices, http.StatusCode);
        var referral = (await http.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("referral");
        Assert.Equal("0.NA/88.118.43", referral.GetProperty("handle").GetString());
        Assert.Equal(["HS_SITE"], referral.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("type").GetString()));
        Assert.Equal((ResponseCode.ServiceReferral, "0.NA/88.118.43"), (native.Code, native.ReferralHandle));
        Assert.True(SiteInfoRecord.TryDecode(Assert.Single(native.Values).Data, out var site));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, b.NativePort), site.TcpQueryEndpoint());
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
    }

    [Fact]
    public async Task ANodeWithRecursionOff_AnswersHttpWithAReferral()
    {
        var b = await nodes.StartSecondaryAsync("88.118.27", "node-b27");
        await FiledSiteAsync(nodes.TopLevel, "88.118.27");
        var c = await nodes.StartSecondaryAsync("88.118.28", "node-c28", new() { ["Hierarchy:Recursion"] = "false" });

        using var answer = await c.Http.GetAsync("/api/handles/88.118.27/ANY");

        Assert.Equal(HttpStatusCode.MultipleChoices, answer.StatusCode);
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(302, body.GetProperty("responseCode").GetInt32());
        Assert.Equal("0.NA/88.118.27", body.GetProperty("referral").GetProperty("handle").GetString());
        var site = body.GetProperty("referral").GetProperty("values")[0].GetProperty("data");
        Assert.Equal("site", site.GetProperty("format").GetString());
        Assert.Equal(b.NativePort, site.GetProperty("value").GetProperty("servers")[0].GetProperty("interfaces")[0].GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task ARequestThatHasPassedTooManyNodes_IsRefusedWithCode6_AndAPrefixFiledNowhereIs100()
    {
        var looped = await NativeAsync(nodes.A.NativePort, NativeRequests.Resolution(3, "88.118.29/X", [], OpFlags.Recursive, recursionCount: 4, Now()));
        using var nowhere = await nodes.A.Http.GetAsync("/api/handles/88.999.1/X");
        var grpc = await Assert.ThrowsAsync<RpcException>(async () => await new Resolver.ResolverClient(nodes.A.Channel).ResolveAsync(new ResolveRequest { Handle = "88.999.1/X" }));

        Assert.Equal(ResponseCode.RecursionCountTooHigh, looped.Code);
        Assert.Contains("limit is 4", looped.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
        Assert.Contains("no node serves prefix 88.999.1", (await nowhere.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, grpc.StatusCode);
    }

    [Fact]
    public async Task TheTopLevelNodeKeepsEachSitesPrefixesToItself()
    {
        var t = nodes.TopLevel;
        var owner = await HierarchyNodes.IssueSiteKeyAsync(t, "node-owner", "88.118.30");
        var broad = await HierarchyNodes.IssueSiteKeyAsync(t, "node-broad", "88.117");
        (await t.SendAsAsync(owner, HttpMethod.Put, "/api/hierarchy/prefixes/88.118.30.1", """{"address":"127.0.0.1","port":2641}""")).EnsureSuccessStatusCode();
        (await t.SendAsAsync(broad, HttpMethod.Put, "/api/hierarchy/prefixes/88.117.5", """{"address":"127.0.0.1","port":2641}""")).EnsureSuccessStatusCode();

        using var outOfScope = await t.SendAsAsync(owner, HttpMethod.Put, "/api/hierarchy/prefixes/88.117.5", """{"address":"127.0.0.2","port":2641}""");
        using var unfileOther = await t.SendAsAsync(broad, HttpMethod.Delete, "/api/hierarchy/prefixes/88.118.30.1");
        using var wholeTree = await t.SendAsAsync(owner, HttpMethod.Put, "/api/hierarchy/prefixes/88", """{"address":"127.0.0.1","port":2641}""");
        var refused = new List<HttpStatusCode>();
        foreach (var address in new[] { "not-an-ip", "0.0.0.0", "169.254.169.254", "224.0.0.1", "fe80::1" })
        {
            using var answer = await t.SendAsAsync(owner, HttpMethod.Put, "/api/hierarchy/prefixes/88.118.30.2", $$"""{"address":"{{address}}","port":2641}""");
            refused.Add(answer.StatusCode);
        }

        using var badPort = await t.SendAsAsync(owner, HttpMethod.Put, "/api/hierarchy/prefixes/88.118.30.2", """{"address":"10.0.0.9","port":70000}""");
        using var onA = await nodes.A.SendAsync(HttpMethod.Put, "/api/hierarchy/prefixes/88.118.31", """{"address":"127.0.0.1","port":2641}""");
        using var ownedByEnterprise = await t.SendAsync(HttpMethod.Post, "/admin/keys", """{"name":"x","role":"site","identity":"300:88/ADMIN"}""");

        Assert.Equal(HttpStatusCode.Forbidden, outOfScope.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unfileOther.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wholeTree.StatusCode);
        Assert.All(refused, status => Assert.Equal(HttpStatusCode.BadRequest, status));
        Assert.Equal(HttpStatusCode.BadRequest, badPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotImplemented, onA.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, ownedByEnterprise.StatusCode);
        Assert.Equal("127.0.0.1", (await FiledSiteAsync(t, "88.117.5")).GetProperty("servers")[0].GetProperty("address").GetString());
    }

    [Fact]
    public async Task ASiteThatDoesNotServeWhatItIsFiledFor_OrThisNodeItself_IsAClearError()
    {
        // Filed by an operator: 88.118.37 at A itself, 88.118.38 at a node serving other prefixes.
        var b = await nodes.StartSecondaryAsync("88.118.39", "node-b39");
        foreach (var (prefix, port) in new[] { ("88.118.37", nodes.A.NativePort), ("88.118.38", b.NativePort) })
        {
            (await nodes.TopLevel.SendAsync(HttpMethod.Put, $"/api/hierarchy/prefixes/{prefix}", $$"""{"address":"127.0.0.1","port":{{port}}}""")).EnsureSuccessStatusCode();
        }

        using var self = await nodes.A.Http.GetAsync("/api/handles/88.118.37/X");
        using var stale = await nodes.A.Http.GetAsync("/api/handles/88.118.38/X");

        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        var selfError = await self.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(301, selfError.GetProperty("responseCode").GetInt32());
        Assert.Contains("names this node", selfError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stale.StatusCode);
        Assert.Equal(3, (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("responseCode").GetInt32());
    }

    [Fact]
    public async Task BReportsItsStatisticsToT()
    {
        var b = await nodes.StartSecondaryAsync("88.118.32", "node-b32");
        await RegisterAsync(b, "88.118.32/S-1", "https://b.example/s-1", ttl: 600);
        for (var i = 0; i < 3; i++)
        {
            (await b.Http.GetAsync("/api/handles/88.118.32/S-1")).EnsureSuccessStatusCode();
        }

        await Eventually.HoldsAsync(async () =>
        {
            var reports = (await JsonAsync(nodes.TopLevel, "/api/hierarchy/reports?site=node-b32")).GetProperty("reports").EnumerateArray();
            return reports.Any(r => r.GetProperty("prefix").GetString() == "88.118.32" && r.GetProperty("resolutions").GetInt64() >= 3 && r.GetProperty("registrations").GetInt64() == 1);
        }, TimeSpan.FromSeconds(15), "T holding B's figures");
    }

    [Fact]
    public async Task AReport_KeepsTheSitesOwnRows_AndSkipsTheRest()
    {
        var key = await HierarchyNodes.IssueSiteKeyAsync(nodes.TopLevel, "node-r41", "88.118.41");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var rows = new object[]
        {
            new { prefix = "88.118.41.2", day = today, resolutions = 7, registrations = 1, updates = 0, deletions = 0 },
            new { prefix = "GS1", day = today, resolutions = 1, registrations = 0, updates = 0, deletions = 0 },
            new { prefix = "88.119.1", day = today, resolutions = 1, registrations = 0, updates = 0, deletions = 0 },
            new { prefix = "88.118.41.3", day = "yesterday", resolutions = 1, registrations = 0, updates = 0, deletions = 0 },
        };

        using var answer = await nodes.TopLevel.SendAsAsync(key, HttpMethod.Post, "/api/hierarchy/reports", JsonSerializer.Serialize(new { statistics = rows }));
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
        var stored = (await JsonAsync(nodes.TopLevel, "/api/hierarchy/reports?site=node-r41")).GetProperty("reports").EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal((1, 3), (body.GetProperty("rows").GetInt32(), body.GetProperty("skipped").GetInt32()));
        Assert.Equal(7, Assert.Single(stored).GetProperty("resolutions").GetInt64());
    }

    [Fact]
    public async Task Operators_IssueSiteKeys_SeeFilings_AndUnhomePrefixes_WithIdres()
    {
        var issued = await IdresAsync(nodes.TopLevel, "keys", "issue", "--role", "site", "--name", "node-b40", "--identity", "300:0.NA/88.118.40", "--json");
        var key = JsonDocument.Parse(issued.Output).RootElement.GetProperty("key").GetString()!;
        var b = await nodes.StartAsync(HierarchyNodes.Secondary(nodes.TopLevel.HttpUrl, nodes.TopLevel.NativePort, "88.118.40", key));
        await IdresAsync(b, "prefixes", "create", "88.118.40.1");
        await FiledSiteAsync(nodes.TopLevel, "88.118.40.1");

        var deleted = await IdresAsync(b, "prefixes", "delete", "88.118.40.1");
        var filings = await IdresAsync(b, "prefixes", "filings");
        var nodePrefix = await IdresAsync(b, "prefixes", "delete", "88.118.40");

        Assert.Equal(0, issued.Exit);
        Assert.Equal(0, deleted.Exit);
        Assert.Contains("88.118.40.1", filings.Output, StringComparison.Ordinal);
        Assert.Contains("unfile", filings.Output, StringComparison.Ordinal);
        Assert.Equal(1, nodePrefix.Exit);
        Assert.Contains("cannot be unhomed", nodePrefix.Error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> IdresAsync(NodeServer node, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await IdResolution.Cli.CliApp.RunAsync([.. args, "--url", node.HttpUrl.ToString(), "--key", NodeServer.OperatorToken], output, error, new System.Collections.Hashtable());
        Assert.True(exit == 0 || args.Contains("delete"), $"idres {string.Join(' ', args)}: {error}");
        return (exit, output.ToString(), error.ToString());
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static async Task RegisterAsync(NodeServer node, string handle, string url, int ttl)
    {
        var body = JsonSerializer.Serialize(new { values = new[] { new { index = 1, type = "URL", ttl, data = new { format = "string", value = url } } } });
        (await node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", body)).EnsureSuccessStatusCode();
    }

    /// <summary>The HS_SITE value T holds for a prefix, once the filing has arrived (polled).</summary>
    private static async Task<JsonElement> FiledSiteAsync(NodeServer topLevel, string prefix)
    {
        JsonElement site = default;
        await Eventually.HoldsAsync(async () =>
        {
            using var answer = await topLevel.Http.GetAsync($"/api/handles/0.NA/{prefix}?type=HS_SITE&auth=true");
            if (answer.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            site = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("values")[0].GetProperty("data").GetProperty("value");
            return true;
        }, TimeSpan.FromSeconds(15), $"T holding 0.NA/{prefix}");
        return site;
    }

    private static async Task<JsonElement> JsonAsync(NodeServer node, string path)
    {
        using var answer = await node.SendAsync(HttpMethod.Get, path);
        answer.EnsureSuccessStatusCode();
        return await answer.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string? UrlOf(JsonElement record) =>
        record.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("type").GetString() == "URL").GetProperty("data").GetProperty("value").GetString();

    private static async Task<NativeAnswer> NativeAsync(int port, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        var envelope = new byte[MessageEnvelope.Size];
        await stream.ReadExactlyAsync(envelope);
        var answer = new byte[MessageEnvelope.Size + MessageEnvelope.Read(envelope).MessageLength];
        envelope.CopyTo(answer, 0);
        await stream.ReadExactlyAsync(answer.AsMemory(MessageEnvelope.Size));
        Assert.True(NativeAnswer.TryRead(answer, out var read, out var error), error);
        return read;
    }
}

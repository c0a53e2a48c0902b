using System.Net;
using System.Text.Json;
using IdResolution.Core.Values;
using IdResolution.Registry;
using IdResolution.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdResolution.Server.Tests.Caching;

/// <summary>Two nodes on one PostgreSQL database and one Redis, as deployed behind a load balancer.</summary>
public sealed class TwoNodesFixture : IAsyncLifetime
{
    public const string Prefix = "88.118.8.1001";

    public TestDatabase Database { get; } = new();

    public NodeServer A { get; private set; } = null!;

    public NodeServer B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.CreateAsync();
        var settings = Database.NodeSettings();
        settings["Seeds:Load"] = "false";
        // Longer than the 1 s coherence window, so that only invalidation can make a created handle visible in time.
        settings["Cache:NegativeDuration"] = "00:00:03";
        // Tests here count the registry commands a resolve makes: the statistics flush must not add its own meanwhile.
        settings["Statistics:FlushInterval"] = "01:00:00";
        A = await NodeServer.StartAsync(settings);
        B = await NodeServer.StartAsync(settings);
        using var response = await A.SendAsync(HttpMethod.Post, $"/api/prefixes/{Prefix}");
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public sealed class CacheBehaviourTests(TwoNodesFixture nodes) : IClassFixture<TwoNodesFixture>
{
    private static string NewHandle() => $"{TwoNodesFixture.Prefix}/C-{Guid.NewGuid():N}";

    private static string UrlValues(string url, int ttl = 86400) => $$"""[{"index":1,"type":"URL","data":"{{url}}","ttl":{{ttl}}}]""";

    private static async Task<string?> UrlOnAsync(NodeServer node, string handle, string query = "")
    {
        using var response = await node.Http.GetAsync($"/api/handles/{handle}{query}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString();
    }

    // Resolve reads only: the node's health checks and dashboard query the registry on their own 5 s timer, and one
    // landing between two counts made a CI run see 5 commands for 3 resolves.
    private static long RegistryCommands(NodeServer node) => node.Services.GetRequiredService<RegistryCommandCounter>().Lookups;

    [Fact]
    public async Task Update_OnNodeA_IsSeenOnNodeB_WithinOneSecond()
    {
        var handle = NewHandle();
        (await nodes.A.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", UrlValues("https://old.example"))).Dispose();
        Assert.Equal("https://old.example", await UrlOnAsync(nodes.B, handle));
        Assert.Equal("https://old.example", await UrlOnAsync(nodes.B, handle)); // now in B's memory

        using var update = await nodes.A.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", UrlValues("https://new.example"));
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        await Eventually.HoldsAsync(async () => await UrlOnAsync(nodes.B, handle) == "https://new.example", TimeSpan.FromSeconds(1), "node B seeing the update");
        Assert.Equal("https://new.example", await UrlOnAsync(nodes.A, handle));
    }

    [Fact]
    public async Task Delete_OnNodeA_IsSeenOnNodeB_WithinOneSecond()
    {
        var handle = NewHandle();
        (await nodes.A.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", UrlValues("https://x.example"))).Dispose();
        Assert.NotNull(await UrlOnAsync(nodes.B, handle));

        (await nodes.A.SendAsync(HttpMethod.Delete, $"/api/handles/{handle}")).Dispose();

        await Eventually.HoldsAsync(async () => await UrlOnAsync(nodes.B, handle) is null, TimeSpan.FromSeconds(1), "node B seeing the delete");
    }

    [Fact]
    public async Task Create_AfterANegativeAnswer_IsSeenOnTheOtherNode()
    {
        var handle = NewHandle();
        Assert.Null(await UrlOnAsync(nodes.B, handle)); // B caches "not found"

        (await nodes.A.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", UrlValues("https://born.example"))).Dispose();

        await Eventually.HoldsAsync(async () => await UrlOnAsync(nodes.B, handle) == "https://born.example", TimeSpan.FromSeconds(1), "node B seeing the create");
    }

    [Fact]
    public async Task HundredConcurrentFirstReads_CauseOneRegistryQuery()
    {
        var handle = NewHandle();
        (await nodes.A.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", UrlValues("https://hot.example"))).Dispose();
        await nodes.A.SecondInvalidationsDoneAsync();
        var before = RegistryCommands(nodes.A);

        var reads = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => UrlOnAsync(nodes.A, handle)));

        Assert.All(reads, url => Assert.Equal("https://hot.example", url));
        Assert.Equal(1, RegistryCommands(nodes.A) - before);
    }

    [Fact]
    public async Task AnAnswerFromRedis_IsThenServedFromTheNodesMemory()
    {
        var handle = NewHandle();
        (await nodes.A.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", UrlValues("https://shared.example"))).Dispose();
        await nodes.A.SecondInvalidationsDoneAsync();
        Assert.Equal("https://shared.example", await UrlOnAsync(nodes.A, handle)); // into Redis
        using var fromRedis = new NodeMetric(nodes.B, "idres.cache.lookups", "layer", "redis");
        using var fromMemory = new NodeMetric(nodes.B, "idres.cache.lookups", "layer", "memory");
        var before = RegistryCommands(nodes.B);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("https://shared.example", await UrlOnAsync(nodes.B, handle));
        }

        Assert.Equal(1, fromRedis.Total);
        Assert.Equal(2, fromMemory.Total);
        Assert.Equal(0, RegistryCommands(nodes.B) - before);
    }

    [Fact]
    public async Task TtlZero_IsNeverServedFromCache()
    {
        var handle = NewHandle();
        (await nodes.A.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", UrlValues("https://live.example", ttl: 0))).Dispose();
        await nodes.A.SecondInvalidationsDoneAsync();

        var before = RegistryCommands(nodes.A);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("https://live.example", await UrlOnAsync(nodes.A, handle));
        }

        Assert.Equal(3, RegistryCommands(nodes.A) - before);

        await ChangeBehindTheNodesAsync(handle, "https://changed.example");
        Assert.Equal("https://changed.example", await UrlOnAsync(nodes.A, handle));
        Assert.Equal("https://changed.example", await UrlOnAsync(nodes.B, handle));
    }

    [Fact]
    public async Task NegativeAnswers_AreCached_ThenExpire()
    {
        var handle = NewHandle();
        Assert.Null(await UrlOnAsync(nodes.A, handle));
        var before = RegistryCommands(nodes.A);
        Assert.Null(await UrlOnAsync(nodes.A, handle));
        Assert.Equal(0, RegistryCommands(nodes.A) - before);

        await InsertBehindTheNodesAsync(handle, "https://appeared.example");

        await Eventually.HoldsAsync(async () => await UrlOnAsync(nodes.A, handle) == "https://appeared.example", TimeSpan.FromSeconds(10), "the negative entry expiring");
    }

    [Fact]
    public async Task AuthTrue_BypassesTheCaches()
    {
        // A first read slower than 100 ms (a loaded machine) may have raced a write and is cached for 400 ms only:
        // such a name shows its change at once, so the check is made again on a new name.
        await Eventually.HoldsAsync(async () =>
        {
            var handle = NewHandle();
            (await nodes.A.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", UrlValues("https://cached.example"))).Dispose();
            await nodes.A.SecondInvalidationsDoneAsync();
            Assert.Equal("https://cached.example", await UrlOnAsync(nodes.A, handle));

            await ChangeBehindTheNodesAsync(handle, "https://fresh.example");

            if (await UrlOnAsync(nodes.A, handle) != "https://cached.example")
            {
                return false;
            }

            Assert.Equal("https://fresh.example", await UrlOnAsync(nodes.A, handle, "?auth=true"));
            return true;
        }, TimeSpan.FromSeconds(30), "a name whose cached copy outlives a change behind the node");
    }

    private Task ChangeBehindTheNodesAsync(string handle, string url) =>
        nodes.Database.ExecuteAsync("UPDATE handles SET values = @v, version = version + 1 WHERE key = @k", ("v", Encoded(url)), ("k", handle));

    private Task InsertBehindTheNodesAsync(string handle, string url) =>
        nodes.Database.ExecuteAsync(
            "INSERT INTO handles (key, handle, prefix, version, values, created_at, updated_at) VALUES (@k, @k, @p, 1, @v, 0, 0)",
            ("k", handle), ("p", TwoNodesFixture.Prefix), ("v", Encoded(url)));

    private static byte[] Encoded(string url) =>
        HandleValueCodec.Encode([new HandleValue(1, "URL", System.Text.Encoding.UTF8.GetBytes(url)) { Ttl = 0, Timestamp = 1 }]);
}

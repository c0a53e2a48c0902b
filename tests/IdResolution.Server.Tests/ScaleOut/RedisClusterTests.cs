using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// The L2 cache and the invalidation channel on a Redis Cluster of three masters and three replicas: answers are shared
/// through it, writes invalidate every node, and a master killed mid-load fails no resolve while the cluster fails over.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class RedisClusterTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private readonly List<NodeServer> _nodes = [];
    private RedisCluster? _cluster;

    public async Task InitializeAsync()
    {
        _cluster = await RedisCluster.StartAsync();
        await _database.CreateAsync();
    }

    [Fact]
    public async Task AnswersAreSharedThroughTheCluster_AndWritesInvalidateEveryNode()
    {
        var a = await StartAsync();
        var b = await StartAsync(("Cache:Memory", "false"));
        await a.RegisterAsync("88.118.8/C-1", "https://c.example/1");
        // A write drops its name from the caches twice: an answer cached in between would leave Redis before B reads it.
        await a.SecondInvalidationsDoneAsync();
        Assert.Equal("https://c.example/1", await a.UrlAsync("88.118.8/C-1"));
        using var fromRedis = new NodeMetric(b, "idres.cache.lookups", "layer", "redis");

        var shared = await b.UrlAsync("88.118.8/C-1");
        await b.RegisterAsync("88.118.8/C-1", "https://c.example/2");

        Assert.Equal("https://c.example/1", shared);
        Assert.Equal(1, fromRedis.Total);
        await Eventually.HoldsAsync(async () => await a.UrlAsync("88.118.8/C-1") == "https://c.example/2", TimeSpan.FromSeconds(3), "A seeing B's write");
    }

    [Fact]
    public async Task ConcurrentReadsOfKeysOnEverySlot_AreEachAnsweredFromTheCluster()
    {
        var a = await StartAsync();
        var b = await StartAsync(("Cache:Memory", "false"));
        var names = Enumerable.Range(0, 40).Select(i => $"88.118.8/S-{i}").ToArray();
        foreach (var name in names)
        {
            await a.RegisterAsync(name, $"https://s.example/{name[^2..]}");
        }

        // A write drops its name from the caches twice: an answer cached in between would leave Redis before B reads it.
        await a.SecondInvalidationsDoneAsync();
        foreach (var name in names)
        {
            await a.UrlAsync(name); // into Redis
        }

        using var fromRedis = new NodeMetric(b, "idres.cache.lookups", "layer", "redis");
        // Keys on all three masters, read at once: each goes to its own master.
        var urls = await Task.WhenAll(names.Select(name => b.UrlAsync(name)));

        Assert.Equal(names.Select(name => $"https://s.example/{name[^2..]}"), urls);
        Assert.Equal(names.Length, fromRedis.Total);
    }

    [Fact]
    public async Task AMasterKilledMidLoad_FailsNoResolve_AndTheCacheRecovers()
    {
        // Redis only (no in-process cache): every resolve asks the cluster.
        var node = await StartAsync(("Cache:Memory", "false"));
        var handles = Enumerable.Range(0, 30).Select(i => $"88.118.8/CL-{i}").ToList();
        foreach (var handle in handles)
        {
            await node.RegisterAsync(handle, "https://cl.example/");
            await node.UrlAsync(handle);
        }

        await using var load = new ResolveLoad(node.HttpUrl, handles, workers: 4);
        try
        {
            await load.SucceedsAsync(100, "load flowing");
            await _cluster!.KillAMasterAsync();
            await _cluster.WaitUntilHealthyAsync();
            await load.SucceedsAsync(300, "load flowing after the failover");
        }
        finally
        {
            await load.StopAsync();
        }

        Assert.Empty(load.Failures);
        // Recovered: answers are cached in, and read from, the cluster again.
        using var fromRedis = new NodeMetric(node, "idres.cache.lookups", "layer", "redis");
        await Eventually.HoldsAsync(async () =>
        {
            await node.UrlAsync(handles[0]);
            return fromRedis.Total > 0;
        }, TimeSpan.FromSeconds(20), "answers from the cluster again");
    }

    private async Task<NodeServer> StartAsync(params (string Key, string Value)[] extra)
    {
        var settings = _database.NodeSettings(_cluster!.Configuration);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var node = await NodeServer.StartAsync(settings);
        _nodes.Add(node);
        return node;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _database.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

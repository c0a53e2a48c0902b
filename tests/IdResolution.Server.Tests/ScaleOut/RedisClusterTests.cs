using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        await RegisterAsync(a, "88.118.8/C-1", "https://c.example/1");
        Assert.Equal("https://c.example/1", await UrlAsync(a, "88.118.8/C-1"));
        using var fromRedis = new NodeMetric(b, "idres.cache.lookups", "layer", "redis");

        var shared = await UrlAsync(b, "88.118.8/C-1");
        await RegisterAsync(b, "88.118.8/C-1", "https://c.example/2");

        Assert.Equal("https://c.example/1", shared);
        Assert.Equal(1, fromRedis.Total);
        await Eventually.HoldsAsync(async () => await UrlAsync(a, "88.118.8/C-1") == "https://c.example/2", TimeSpan.FromSeconds(3), "A seeing B's write");
    }

    [Fact]
    public async Task AMasterKilledMidLoad_FailsNoResolve_AndTheCacheRecovers()
    {
        // Redis only (no in-process cache): every resolve asks the cluster.
        var node = await StartAsync(("Cache:Memory", "false"));
        var handles = Enumerable.Range(0, 30).Select(i => $"88.118.8/CL-{i}").ToList();
        foreach (var handle in handles)
        {
            await RegisterAsync(node, handle, "https://cl.example/");
            await UrlAsync(node, handle);
        }

        var failures = new ConcurrentQueue<string>();
        var succeeded = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = w; !stop.IsCancellationRequested; i++)
            {
                using var answer = await node.Http.GetAsync($"/api/handles/{handles[i % handles.Count]}");
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    failures.Enqueue($"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                }
            }
        })).ToList();

        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref succeeded) >= 100), TimeSpan.FromSeconds(20), "load flowing");
            await _cluster!.KillAMasterAsync();
            await _cluster.WaitUntilHealthyAsync();
            var after = Volatile.Read(ref succeeded);
            await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref succeeded) >= after + 300), TimeSpan.FromSeconds(30), "load flowing after the failover");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        Assert.Empty(failures);
        // Recovered: answers are cached in, and read from, the cluster again.
        using var fromRedis = new NodeMetric(node, "idres.cache.lookups", "layer", "redis");
        await Eventually.HoldsAsync(async () =>
        {
            await UrlAsync(node, handles[0]);
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

    private static async Task RegisterAsync(NodeServer node, string handle, string url)
    {
        using var answer = await node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", $$"""[{"index":1,"type":"URL","data":"{{url}}"}]""");
        answer.EnsureSuccessStatusCode();
    }

    private static async Task<string?> UrlAsync(NodeServer node, string handle)
    {
        using var answer = await node.Http.GetAsync($"/api/handles/{handle}");
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString();
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

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// A PostgreSQL primary and its streaming standby (started by scripts/test.sh): resolves read the standby, writes go to the
/// primary, a writer reads its own write at once, and a standby that lags or stops is taken out of rotation without a
/// failed resolve. Writes "behind the node's back" are made by a second node on the primary alone, with its own cache.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ReadReplicaTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private readonly List<NodeServer> _nodes = [];

    /// <summary>Reads the standby (tolerating a minute of lag, so that pausing replay keeps it in rotation); Redis as L2.</summary>
    private NodeServer Reader { get; set; } = null!;

    /// <summary>Reads and writes the primary only, with no Redis: its writes reach the reader only through the database.</summary>
    private NodeServer Writer { get; set; } = null!;

    public async Task InitializeAsync()
    {
        await _database.CreateAsync();
        await StandbyServer.WaitForAsync(_database);
        Writer = await StartAsync(redis: false, standby: false);
        Reader = await StartAsync(redis: true, standby: true, ("Registry:MaxStandbyLag", "00:01:00"));
    }

    [Fact]
    public async Task Resolves_AreReadFromTheStandby()
    {
        await StandbyServer.PauseReplayAsync();
        HttpStatusCode whilePaused;
        try
        {
            await RegisterAsync(Writer, "88.118.8/R-1", "https://r.example/1");
            using var answer = await Reader.Http.GetAsync("/api/handles/88.118.8/R-1");
            whilePaused = answer.StatusCode;
        }
        finally
        {
            await StandbyServer.ResumeReplayAsync();
        }

        // The standby had not replayed the write: the reader could not see it. Once replayed (and the 404 expired), it does.
        Assert.Equal(HttpStatusCode.NotFound, whilePaused);
        await Eventually.HoldsAsync(async () => (await Reader.Http.GetAsync("/api/handles/88.118.8/R-1")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20), "the reader seeing the replayed write");
    }

    [Fact]
    public async Task AWriter_ReadsItsOwnWrites_AtOnce_ThoughTheStandbyIsBehind()
    {
        await StandbyServer.PauseReplayAsync();
        try
        {
            await RegisterAsync(Reader, "88.118.8/R-2", "https://r.example/2a");
            var created = await UrlAsync(Reader, "88.118.8/R-2");
            await RegisterAsync(Reader, "88.118.8/R-2", "https://r.example/2b");
            var updated = await UrlAsync(Reader, "88.118.8/R-2");

            Assert.Equal("https://r.example/2a", created);
            Assert.Equal("https://r.example/2b", updated);
        }
        finally
        {
            await StandbyServer.ResumeReplayAsync();
        }
    }

    [Fact]
    public async Task AWriteOnAnotherNode_IsReadFromThePrimary_WithinTheCoherenceWindow()
    {
        // Another node on the same registry, Redis and standby, as behind a load balancer.
        var other = await StartAsync(redis: true, standby: true, ("Registry:MaxStandbyLag", "00:01:00"));
        await StandbyServer.PauseReplayAsync();
        try
        {
            await RegisterAsync(other, "88.118.8/R-4", "https://r.example/4");

            // While the standby still lacks it, only the primary can answer: the invalidation told the reader to ask there.
            var took = await Eventually.HoldsAsync(async () => (await Reader.Http.GetAsync("/api/handles/88.118.8/R-4")).StatusCode == HttpStatusCode.OK,
                TimeSpan.FromSeconds(3), "the reader seeing the other node's write");
            Assert.True(took < TimeSpan.FromSeconds(3), $"seen only after {took}");
        }
        finally
        {
            await StandbyServer.ResumeReplayAsync();
        }
    }

    [Fact]
    public async Task ALaggingStandby_IsTakenOutOfRotation()
    {
        var strict = await StartAsync(redis: false, standby: true, ("Registry:MaxStandbyLag", "00:00:01"));
        await StandbyServer.PauseReplayAsync();
        try
        {
            await RegisterAsync(Writer, "88.118.8/R-3", "https://r.example/3");

            // The standby cannot have it; the node answers it from the primary once it sees the standby lag.
            await Eventually.HoldsAsync(async () => (await strict.Http.GetAsync("/api/handles/88.118.8/R-3")).StatusCode == HttpStatusCode.OK,
                TimeSpan.FromSeconds(15), "the lagging standby taken out of rotation");
        }
        finally
        {
            await StandbyServer.ResumeReplayAsync();
        }
    }

    [Fact]
    public async Task AStandbyStoppedMidLoad_FailsNoResolve()
    {
        // Values with TTL 0 ("never cache"): every resolve reads the registry, that is the standby.
        var uncached = await StartAsync(redis: false, standby: true);
        var handles = Enumerable.Range(0, 20).Select(i => $"88.118.8/LOAD-{i}").ToList();
        foreach (var handle in handles)
        {
            await RegisterAsync(Writer, handle, "https://load.example/", ttl: 0);
        }

        await StandbyServer.CatchUpAsync();
        var failures = new ConcurrentQueue<string>();
        var succeeded = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = w; !stop.IsCancellationRequested; i++)
            {
                using var answer = await uncached.Http.GetAsync($"/api/handles/{handles[i % handles.Count]}");
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
            await StandbyServer.StopAsync();
            var after = Volatile.Read(ref succeeded);
            await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref succeeded) >= after + 200), TimeSpan.FromSeconds(20), "load flowing from the primary");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            await StandbyServer.StartAsync();
        }

        Assert.Empty(failures);
    }

    private async Task<NodeServer> StartAsync(bool redis, bool standby, params (string Key, string Value)[] extra)
    {
        var settings = _database.NodeSettings();
        if (!redis)
        {
            settings.Remove("ConnectionStrings:Redis");
        }

        if (standby)
        {
            settings["ConnectionStrings:RegistryRead"] = StandbyServer.ConnectionString(_database);
        }

        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var node = await NodeServer.StartAsync(settings);
        _nodes.Add(node);
        return node;
    }

    private static async Task RegisterAsync(NodeServer node, string handle, string url, int ttl = 86400)
    {
        using var answer = await node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", $$"""[{"index":1,"type":"URL","data":"{{url}}","ttl":{{ttl}}}]""");
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
    }
}

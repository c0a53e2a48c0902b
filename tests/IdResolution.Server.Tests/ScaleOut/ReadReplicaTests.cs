using System.Net;
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
            await Writer.RegisterAsync("88.118.8/R-1", "https://r.example/1");
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
            await Reader.RegisterAsync("88.118.8/R-2", "https://r.example/2a");
            var created = await Reader.UrlAsync("88.118.8/R-2");
            await Reader.RegisterAsync("88.118.8/R-2", "https://r.example/2b");
            var updated = await Reader.UrlAsync("88.118.8/R-2");

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
            await other.RegisterAsync("88.118.8/R-4", "https://r.example/4");

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
            await Writer.RegisterAsync("88.118.8/R-3", "https://r.example/3");

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
            await Writer.RegisterAsync(handle, "https://load.example/", ttl: 0);
        }

        await StandbyServer.CatchUpAsync();
        await using var load = new ResolveLoad(uncached.HttpUrl, handles, workers: 4);
        try
        {
            await load.SucceedsAsync(100, "load flowing");
            await StandbyServer.StopAsync();
            await load.SucceedsAsync(200, "load flowing from the primary");
        }
        finally
        {
            await load.StopAsync();
            await StandbyServer.StartAsync();
        }

        Assert.Empty(load.Failures);
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

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _database.DisposeAsync();
    }
}

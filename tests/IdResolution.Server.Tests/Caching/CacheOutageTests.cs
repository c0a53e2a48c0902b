using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Grpc.Core;
using IdResolution.Caching;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace IdResolution.Server.Tests.Caching;

/// <summary>Backing services failing under a running node: a private Redis is killed, a private PostgreSQL stopped.</summary>
public sealed class CacheOutageTests : IDisposable
{
    private const string Prefix = "88.118.8.1001";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("idres-outage-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The node as a separate process, whose log the test reads (warnings and up), without sample data.</summary>
    private Task<NodeProcess> StartProcessAsync(Dictionary<string, string?> settings)
    {
        settings["Seeds:Load"] = "false";
        settings["Logging:LogLevel:Default"] = "Warning";
        return NodeProcess.StartAsync(_directory, settings);
    }

    private static async Task<HttpStatusCode> StatusAsync(NodeServer node, string handle)
    {
        using var response = await node.Http.GetAsync($"/api/handles/{handle}");
        return response.StatusCode;
    }

    private static async Task<NodeServer> StartAsync(Dictionary<string, string?> settings)
    {
        settings["Seeds:Load"] = "false";
        // Short lifetimes unless the test sets its own, so that resolves keep reaching Redis and the registry.
        settings.TryAdd("Cache:MaxDuration", "00:00:01");
        var node = await NodeServer.StartAsync(settings);
        (await node.SendAsync(HttpMethod.Post, $"/api/prefixes/{Prefix}")).EnsureSuccessStatusCode();
        return node;
    }

    [Fact]
    public async Task RedisKilled_UnderAResolveLoop_NoResolveFails_AndL2IsUsedAgainAfterRestart()
    {
        using var redis = new RedisInstance();
        await redis.StartAsync();
        await using var database = new TestDatabase();
        await database.CreateAsync();
        await using var writer = await StartAsync(database.NodeSettings(redis.Configuration));
        await using var reader = await StartAsync(database.NodeSettings(redis.Configuration));
        var handles = Enumerable.Range(0, 20).Select(i => $"{Prefix}/R-{i}-{Guid.NewGuid():N}").ToArray();
        foreach (var handle in handles)
        {
            (await writer.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://r.example"}]""")).EnsureSuccessStatusCode();
        }

        var failures = new List<string>();
        var resolved = 0;
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var status = await StatusAsync(writer, handles[i % handles.Length]);
                Interlocked.Increment(ref resolved);
                if (status != HttpStatusCode.OK)
                {
                    lock (failures)
                    {
                        failures.Add($"{handles[i % handles.Length]}: {status}");
                    }
                }
            }
        });

        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref resolved) > 50), Deadline, "resolves before the kill");
        redis.Kill();
        var atKill = Volatile.Read(ref resolved);
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref resolved) > atKill + 200), Deadline, "resolves while Redis is down");
        // Degraded, still ready: a load balancer must keep a node that resolves without Redis.
        await Eventually.HoldsAsync(async () =>
        {
            using var ready = await writer.Http.GetAsync("/readyz");
            var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
            return ready.StatusCode == HttpStatusCode.OK && body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString() == "Degraded";
        }, Deadline, "readiness reporting Redis degraded");
        await redis.StartAsync();

        // L2 in use again: an entry the writer node caches reaches Redis, and the other node answers from it.
        var fresh = $"{Prefix}/R-after-{Guid.NewGuid():N}";
        (await writer.SendAsync(HttpMethod.Put, $"/api/handles/{fresh}", """[{"index":1,"type":"URL","data":"https://after.example"}]""")).EnsureSuccessStatusCode();
        using var redisAnswers = new NodeMetric(reader, "idres.cache.lookups", "layer", "redis");
        await using var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await Eventually.HoldsAsync(async () =>
        {
            await StatusAsync(writer, fresh);
            var keys = client.GetServer(redis.Configuration).Keys(pattern: $"*{fresh}*");
            return keys.Any() && await StatusAsync(reader, fresh) == HttpStatusCode.OK && redisAnswers.Total > 0;
        }, Deadline, "node B answering from Redis after the restart");

        await stop.CancelAsync();
        await loop;
        Assert.Empty(failures);
        Assert.True(resolved > atKill + 200);
    }

    [Fact]
    public async Task RedisKilled_TheNodeLogsTheFailure_AndWhenRedisIsUsedAgain()
    {
        using var redis = new RedisInstance();
        await redis.StartAsync();
        await using var database = new TestDatabase();
        await database.CreateAsync();
        var settings = database.NodeSettings(redis.Configuration);
        settings["Logging:LogLevel:IdResolution.Caching"] = "Information";
        await using var node = await StartProcessAsync(settings);
        using var http = new HttpClient { BaseAddress = node.HttpUrl };
        // Each new name is a cache miss: a Redis read, then a registry read ("not served here", cached in Redis too);
        // the answer is the same with Redis down.
        await using var client = await ConnectionMultiplexer.ConnectAsync($"{redis.Configuration},abortConnect=false");
        HttpStatusCode? answer = null;
        async Task<string> ResolveNewAsync()
        {
            var name = $"99.1/{Guid.NewGuid():N}";
            using var response = await http.GetAsync($"/api/handles/{name}");
            Assert.Equal(answer ??= response.StatusCode, response.StatusCode);
            return name;
        }

        async Task<bool> ResolvedAndLoggedAsync(string text)
        {
            await ResolveNewAsync();
            return node.Output.Contains(text, StringComparison.Ordinal);
        }

        async Task<bool> StoredInRedisAsync()
        {
            var name = await ResolveNewAsync();
            return client.IsConnected && client.GetServer(redis.Configuration).Keys(pattern: $"*{name}*").Any();
        }

        await Eventually.HoldsAsync(StoredInRedisAsync, Deadline, "an answer stored in Redis");
        Assert.DoesNotContain("Redis (L2)", node.Output, StringComparison.Ordinal);
        redis.Kill();
        await Eventually.HoldsAsync(() => ResolvedAndLoggedAsync("A call to Redis (L2) failed"), Deadline, "the breaker's warning");
        Assert.Contains("Redis (L2) Get failed", node.Output, StringComparison.Ordinal);

        await redis.StartAsync();
        // Back in use: answers reach Redis again; the breaker's closing was logged on the way.
        await Eventually.HoldsAsync(StoredInRedisAsync, Deadline, "answers stored in Redis after its restart");
        Assert.Contains("Redis (L2) is tried again", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisStalled_ResolvesGoOnWithoutIt_AfterCacheRedisTimeout()
    {
        using var redis = new RedisInstance();
        await redis.StartAsync();
        await using var database = new TestDatabase();
        await database.CreateAsync();
        var settings = database.NodeSettings(redis.Configuration);
        settings["Cache:RedisTimeout"] = "00:00:00.2";
        await using var node = await StartProcessAsync(settings);
        using var http = new HttpClient { BaseAddress = node.HttpUrl };
        // Names never asked before ("not served here"): each needs Redis, then the registry.
        var answer = (await http.GetAsync($"/api/handles/99.1/{Guid.NewGuid():N}")).StatusCode;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        // Commands wait, connections stay open: a Redis that has stopped answering, for longer than the test runs.
        await admin.GetServer(redis.Configuration).ExecuteAsync("CLIENT", "PAUSE", "60000", "ALL");
        var stalled = Stopwatch.StartNew();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(answer, (await http.GetAsync($"/api/handles/99.1/{Guid.NewGuid():N}")).StatusCode);
        }

        // Answered while Redis still did not answer, having given up on it after Cache:RedisTimeout, never after the
        // client's own timeouts (a second and more), and then skipping it for a while.
        Assert.True(stalled.Elapsed < TimeSpan.FromSeconds(60), $"answered after {stalled.Elapsed}");
        Assert.Contains("Redis did not answer within 200 ms", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(RedisTimeoutException), node.Output, StringComparison.Ordinal);
        Assert.Contains("A call to Redis (L2) failed", node.Output, StringComparison.Ordinal);
        redis.Kill(); // a paused client cannot unpause: the connections close on a stopped Redis instead
    }

    [Fact]
    public async Task ASlowRegistryRead_IsCachedForTheSecondInvalidationDelayOnly_AndNotServedStale_WhenPostgresStops()
    {
        await using var postgres = new PostgresInstance();
        await postgres.InitialiseAsync();
        var database = new TestDatabase(postgres.ConnectionString);
        await database.CreateAsync();
        var settings = database.NodeSettings();
        // A read slower than 750 ms may have raced a write; its copy is kept 3 s (a quick read's, 10 min).
        settings["Cache:SecondInvalidationDelay"] = "00:00:03";
        settings["Cache:MaxDuration"] = "00:10:00";
        await using var node = await StartAsync(settings);
        var handle = $"{Prefix}/S-{Guid.NewGuid():N}";
        (await node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://s.example"}]""")).EnsureSuccessStatusCode();
        var cache = node.Services.GetRequiredService<ResolutionCache>();
        await node.SecondInvalidationsDoneAsync();

        Assert.Equal(HttpStatusCode.OK, await ResolveWhileTheTableIsLockedAsync(database, node, handle, TimeSpan.FromSeconds(1)));

        // Cached all the same, so a slow registry is spared the repeats, but only for the delay.
        Assert.NotNull(cache.TryGetFromMemory(handle));
        await Eventually.HoldsAsync(() => Task.FromResult(cache.TryGetFromMemory(handle) is null), TimeSpan.FromSeconds(10), "the slow read's copy expiring");
        // It may predate a write, so it is not what the node falls back on while the registry is down.
        await postgres.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(node, handle));
    }

    [Fact]
    public async Task ARecordPastItsLifetime_IsAnsweredStaleWhileItsRegistryReadWaits_AndTheReadIsKeptWhenItEnds()
    {
        await using var postgres = new PostgresInstance();
        await postgres.InitialiseAsync();
        var database = new TestDatabase(postgres.ConnectionString);
        await database.CreateAsync();
        // No Redis, as on the embedded default: the stale copy can only be the node's own.
        var settings = database.NodeSettings();
        settings.Remove("ConnectionStrings:Redis");
        await using var node = await StartAsync(settings);
        var handle = $"{Prefix}/W-{Guid.NewGuid():N}";
        (await node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://w.example"}]""")).EnsureSuccessStatusCode();
        await node.SecondInvalidationsDoneAsync();
        var cache = node.Services.GetRequiredService<ResolutionCache>();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, handle));
        await Eventually.HoldsAsync(() => Task.FromResult(cache.TryGetFromMemory(handle) is null), Deadline, "the 1 s lifetime passing");

        await using var blocker = new NpgsqlConnection(database.ConnectionString);
        await using var transaction = await LockHandlesAsync(blocker);

        // Answered while the read still waits on the lock (after the 1 s soft timeout), not when the lock goes; the stale
        // copy then answers for the fail-safe throttle (2 s), so that callers do not each wait on the slow read.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, handle).WaitAsync(Deadline));
        var stale = cache.TryGetFromMemory(handle);
        Assert.NotNull(stale);

        await transaction.CommitAsync();
        await Eventually.HoldsAsync(
            () => Task.FromResult(cache.TryGetFromMemory(handle) is { } held && !ReferenceEquals(held, stale)), Deadline, "the read's fresh copy kept");
    }

    /// <summary>Opens <paramref name="blocker"/> and locks the handles table in a transaction: registry reads wait until it ends.</summary>
    private static async Task<NpgsqlTransaction> LockHandlesAsync(NpgsqlConnection blocker)
    {
        await blocker.OpenAsync();
        var transaction = await blocker.BeginTransactionAsync();
        await using var lockTable = new NpgsqlCommand("LOCK TABLE handles IN ACCESS EXCLUSIVE MODE", blocker, transaction);
        await lockTable.ExecuteNonQueryAsync();
        return transaction;
    }

    /// <summary>A resolve whose registry read waits on a table lock for at least <paramref name="atLeast"/>.</summary>
    private static async Task<HttpStatusCode> ResolveWhileTheTableIsLockedAsync(TestDatabase database, NodeServer node, string handle, TimeSpan atLeast)
    {
        await using var blocker = new NpgsqlConnection(database.ConnectionString);
        await using var transaction = await LockHandlesAsync(blocker);

        var resolve = StatusAsync(node, handle);
        var waiting = $"SELECT pid FROM pg_stat_activity WHERE {blocker.ProcessID} = ANY(pg_blocking_pids(pid)) "
            + $"AND clock_timestamp() - query_start > interval '{atLeast.TotalMilliseconds} milliseconds'";
        await Eventually.HoldsAsync(async () => (await database.QueryAsync(waiting)).Count > 0, Deadline, "the node's read waiting on the lock");
        await transaction.CommitAsync();
        return await resolve;
    }

    [Fact]
    public async Task PostgresStopped_ABatchOfUnknownNamesIsUnavailable_AndTheNodeLogsWhy()
    {
        await using var postgres = new PostgresInstance();
        await postgres.InitialiseAsync();
        var database = new TestDatabase(postgres.ConnectionString);
        await database.CreateAsync();
        var settings = database.NodeSettings();
        settings["Auth:BootstrapToken"] = NodeServer.OperatorToken;
        await using var node = await StartProcessAsync(settings);
        using var http = new HttpClient { BaseAddress = node.HttpUrl };
        using var createPrefix = new HttpRequestMessage(HttpMethod.Post, $"/api/prefixes/{Prefix}") { Headers = { Authorization = NodeServer.Bearer() } };
        (await http.SendAsync(createPrefix)).EnsureSuccessStatusCode();
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(node.GrpcUrl);
        var resolver = new Resolver.ResolverClient(channel);
        var request = new BatchResolveRequest { Handles = { $"{Prefix}/B-{Guid.NewGuid():N}", $"{Prefix}/B-{Guid.NewGuid():N}" } };
        Assert.All((await resolver.BatchResolveAsync(request)).Results, r => Assert.Equal(100u, r.ResponseCode)); // read, not found
        Assert.DoesNotContain("of a batch from the registry failed", node.Output, StringComparison.Ordinal);

        await postgres.StopAsync();
        request.Handles[0] = $"{Prefix}/B-{Guid.NewGuid():N}";
        request.Handles[1] = $"{Prefix}/B-{Guid.NewGuid():N}";
        var answer = await resolver.BatchResolveAsync(request);

        Assert.All(answer.Results, r => Assert.Equal(3u, r.ResponseCode));
        await Eventually.HoldsAsync(
            () => Task.FromResult(node.Output.Contains("Reading 2 names of a batch from the registry failed", StringComparison.Ordinal)), Deadline, "the log line");
    }

    [Fact]
    public async Task PostgresStopped_CachedStillResolve_UnknownAreUnavailable_WritesFailCleanly_ThenAllResumes()
    {
        await using var postgres = new PostgresInstance();
        await postgres.InitialiseAsync();
        var database = new TestDatabase(postgres.ConnectionString); // goes with the private cluster
        await database.CreateAsync();
        await using var node = await StartAsync(database.NodeSettings());
        var cached = $"{Prefix}/P-{Guid.NewGuid():N}";
        (await node.SendAsync(HttpMethod.Put, $"/api/handles/{cached}", """[{"index":1,"type":"URL","data":"https://p.example"}]""")).EnsureSuccessStatusCode();
        await node.SecondInvalidationsDoneAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, cached));

        await postgres.StopAsync();

        // Served past its 1 s lifetime: stale, from memory, while the registry is down.
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, cached));
        }

        // A key that cannot be checked makes the caller anonymous, not the resolve fail.
        using var withBadKey = node.Request(HttpMethod.Get, $"/api/handles/{cached}", authorised: false);
        withBadKey.Headers.Authorization = NodeServer.Bearer("not-a-key");
        Assert.Equal(HttpStatusCode.OK, (await node.Http.SendAsync(withBadKey)).StatusCode);

        using var unknown = await node.Http.GetAsync($"/api/handles/{Prefix}/P-unknown-{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unknown.StatusCode);
        Assert.Equal(3, JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("responseCode").GetInt32());
        var grpc = await Assert.ThrowsAsync<RpcException>(() =>
            new Resolver.ResolverClient(node.Channel).ResolveAsync(new ResolveRequest { Handle = $"{Prefix}/P-unknown-{Guid.NewGuid():N}" }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, grpc.StatusCode);
        var written = $"{Prefix}/P-write-{Guid.NewGuid():N}";
        using var write = await node.SendAsync(HttpMethod.Put, $"/api/handles/{written}", """[{"index":1,"type":"URL","data":"https://w.example"}]""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
        Assert.Equal(3, JsonDocument.Parse(await write.Content.ReadAsStringAsync()).RootElement.GetProperty("responseCode").GetInt32());

        using (var notReady = await node.Http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        }

        await postgres.StartAsync();
        await Eventually.HoldsAsync(async () => (await node.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, Deadline, "readiness after PostgreSQL is back");

        await Eventually.HoldsAsync(async () =>
        {
            using var retry = await node.SendAsync(HttpMethod.Put, $"/api/handles/{written}", """[{"index":1,"type":"URL","data":"https://w.example"}]""");
            return retry.IsSuccessStatusCode;
        }, Deadline, "writes resuming");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, written));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(node, cached));
    }
}

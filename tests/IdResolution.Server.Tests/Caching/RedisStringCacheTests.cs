using IdResolution.Caching;
using IdResolution.Server.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace IdResolution.Server.Tests.Caching;

/// <summary>The L2 adapter on the tests' Redis, each test under its own key prefix.</summary>
public sealed class RedisStringCacheTests : IAsyncLifetime
{
    private readonly string _prefix = "l2test:" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly RedisConnection _connection = new(TestDatabase.RedisConfiguration);
    private RedisStringCache _cache = null!;

    public Task InitializeAsync()
    {
        _cache = new RedisStringCache(_connection, _prefix, TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ConcurrentReads_GoTogether_AndEachGetsItsOwnAnswer()
    {
        const int reads = 1000;
        for (var i = 0; i < reads; i += 2)
        {
            await _cache.SetAsync($"k{i}", [(byte)(i % 251), 1, 2], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        }

        // Issued without yielding in between: all but the first arrive while a read is in flight.
        var answers = new Task<byte[]?>[reads];
        for (var i = 0; i < reads; i++)
        {
            answers[i] = _cache.GetAsync($"k{i}");
        }

        var answered = await Task.WhenAll(answers);
        for (var i = 0; i < reads; i++)
        {
            Assert.Equal(i % 2 == 0 ? [(byte)(i % 251), 1, 2] : null, answered[i]);
        }

        Assert.InRange(_cache.ReadsSent, 2, reads / 10);
    }

    [Fact]
    public async Task EntriesExpireWhenTold_AndRemovalDropsThem()
    {
        await _cache.SetAsync("relative", [1], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30) });
        await _cache.SetAsync("absolute", [2], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(20) });
        var redis = (await _connection.GetAsync()).GetDatabase();

        Assert.InRange((await redis.KeyTimeToLiveAsync(_prefix + "relative"))!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
        Assert.InRange((await redis.KeyTimeToLiveAsync(_prefix + "absolute"))!.Value, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20));
        await _cache.RemoveAsync("relative");
        Assert.Null(await _cache.GetAsync("relative"));
        Assert.Equal([2], await _cache.GetAsync("absolute"));
    }

    [Fact]
    public async Task AnEntryLeftAsAHashByTheOldAdapter_ReadsAsMissing_AndIsReplacedOnWrite()
    {
        var redis = (await _connection.GetAsync()).GetDatabase();
        await redis.HashSetAsync(_prefix + "old", [new HashEntry("data", new byte[] { 9 }), new HashEntry("absexp", 1)]);

        var before = await Task.WhenAll(_cache.GetAsync("old"), _cache.GetAsync("old"));
        await _cache.SetAsync("old", [3], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });

        Assert.Equal([null, null], before);
        Assert.Equal([3], await _cache.GetAsync("old"));
    }

    [Fact]
    public async Task WithRedisDown_EveryWaitingReadFails_NoneHangs()
    {
        await using var down = new RedisConnection($"127.0.0.1:{Ports.Free()},connectTimeout=500");
        var cache = new RedisStringCache(down, _prefix, TimeSpan.FromSeconds(5));

        var reads = Enumerable.Range(0, 20).Select(i => cache.GetAsync($"k{i}")).ToArray();

        foreach (var read in reads)
        {
            await Assert.ThrowsAnyAsync<RedisException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [Fact]
    public async Task WithRedisStalled_OneSlowAnswerIsAMiss_ForTheReadsQueuedBehindItToo_TheNextIsAFailure()
    {
        using var redis = new RedisInstance();
        await redis.StartAsync();
        await using var connection = new RedisConnection(redis.Configuration);
        await connection.GetForAwaitedCallsAsync();
        var cache = new RedisStringCache(connection, _prefix, TimeSpan.FromMilliseconds(200));
        var aMinute = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) };
        await cache.SetAsync("k0", [7], aMinute);
        Assert.Equal([7], await cache.GetAsync("k0"));
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        // Commands from every client wait, connections stay open: a Redis that has stopped answering.
        await admin.GetServer(redis.Configuration).ExecuteAsync("CLIENT", "PAUSE", "30000", "ALL");

        var sent = cache.ReadsSent;
        var first = cache.GetAsync("k0");
        await Eventually.HoldsAsync(() => Task.FromResult(cache.ReadsSent == sent + 1), TimeSpan.FromSeconds(10), "the first read sent");
        var queued = Enumerable.Range(0, 20).Select(i => cache.GetAsync($"k{i}")).ToArray();

        // The first slow answer is forgiven: misses all (k0 is there, but Redis did not say so in time), the queued
        // reads never sent.
        Assert.Null(await first);
        foreach (var read in queued)
        {
            Assert.Null(await read);
        }

        Assert.Equal(sent + 1, cache.ReadsSent);

        // Then, with no answer between, a failure: exactly TimeoutException (the client's own, RedisTimeoutException,
        // comes after a second or more).
        foreach (var call in new Task[] { cache.SetAsync("k", [1], aMinute), cache.GetAsync("k1") })
        {
            var failure = await Assert.ThrowsAsync<TimeoutException>(() => call);
            Assert.Equal("Redis did not answer within 200 ms", failure.Message);
        }

        redis.Kill(); // a paused client cannot unpause: the connections close on a stopped Redis instead
    }

    [Fact]
    public async Task ACallerThatHasGivenUp_IsNotAsked()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _cache.GetAsync("any", cancelled.Token));
        Assert.Equal(0, _cache.ReadsSent);
    }

    public async Task DisposeAsync()
    {
        var redis = (await _connection.GetAsync()).GetDatabase();
        var server = (await _connection.GetAsync()).GetServers()[0];
        await foreach (var key in server.KeysAsync(pattern: _prefix + "*"))
        {
            await redis.KeyDeleteAsync(key);
        }

        await _connection.DisposeAsync();
    }
}

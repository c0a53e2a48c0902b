using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace IdResolution.Caching;

/// <summary>
/// The L2 cache on Redis strings (<c>SET key value PX ttl</c>), whose concurrent reads go out together: on a single
/// Redis, a read sent while none is in flight goes at once, and the ones arriving meanwhile go as one <c>MGET</c> when
/// its answer comes back (in chunks of <see cref="MaxKeysPerRead"/>). A read of the L2 costs a round trip and a
/// hand-off between threads; sharing both is what lets Redis-served resolves keep up. On a Redis Cluster, where
/// concurrent keys rarely share a hash slot, each read goes alone, so a failing master holds up only its own keys.
/// </summary>
/// <remarks>
/// Expirations are absolute (FusionCache sets no sliding ones), so <see cref="Refresh"/> has nothing to do. Keys are
/// the ones Microsoft's RedisCache used; a key it left as a hash reads as missing (<c>MGET</c> answers nil for it)
/// and the next write replaces it. A read, once queued, is not withdrawn when its caller's token fires: FusionCache
/// stops waiting on its own (its soft and hard timeouts), and a read completed as cancelled would count as a Redis
/// failure there and open its circuit breaker. Synchronous calls go over <see cref="RedisConnection.GetAsync"/>'s
/// connection, awaited ones over <see cref="RedisConnection.GetForAwaitedCallsAsync"/>'s.
/// <para>
/// Reads and writes give up once Redis has not answered within <paramref name="timeout"/>, and a read that times out
/// takes the reads queued behind it along. One slow answer is forgiven (the reads are misses, the write is left to
/// Redis); a second in a row, with no answer between, fails as a <see cref="TimeoutException"/>, which FusionCache
/// counts as a Redis failure: it skips Redis for a while (its own timeouts never did, and cost a timer per call).
/// Removals are not cut short: a write's invalidation reaches the other nodes only after its removal succeeds.
/// </para>
/// </remarks>
public sealed class RedisStringCache(RedisConnection connection, string keyPrefix, TimeSpan timeout) : IDistributedCache
{
    private const int MaxKeysPerRead = 128;

    private readonly Lock _gate = new();
    private List<PendingRead> _waiting = [];
    private bool _reading;
    private long _readsSent;

    /// <summary>1 from a call that timed out until a call is answered.</summary>
    private int _timedOut;

    /// <summary>How many <c>MGET</c>s have gone to Redis (fewer than the reads asked for, when they go together).</summary>
    public long ReadsSent => Interlocked.Read(ref _readsSent);

    public byte[]? Get(string key) => Bytes(Database().StringGet([Key(key)])[0]);

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        var redis = await ConnectedAsync().ConfigureAwait(false);
        var redisKey = Key(key);
        if (redis.HashSlot(redisKey) != NoSlot)
        {
            return Bytes(await Bounded(redis.GetDatabase().StringGetAsync(redisKey), RedisValue.Null).ConfigureAwait(false));
        }

        var read = new PendingRead(redisKey);
        bool start;
        lock (_gate)
        {
            _waiting.Add(read);
            start = !_reading;
            _reading = true;
        }

        if (start)
        {
            // Started on the caller's thread, which it leaves at its first wait for Redis: from then on the loop runs
            // on the threads that read Redis's replies, sending for others long after this read is answered.
            _ = ReadWaitingAsync(redis.GetDatabase());
        }

        return await read.Task.ConfigureAwait(false);
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        Database().StringSet(Key(key), value, Expiry(options));

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        await Bounded((await ConnectedAsync().ConfigureAwait(false)).GetDatabase().StringSetAsync(Key(key), value, Expiry(options)), false).ConfigureAwait(false);

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => Database().KeyDelete(Key(key));

    public async Task RemoveAsync(string key, CancellationToken token = default) =>
        await (await ConnectedAsync().ConfigureAwait(false)).GetDatabase().KeyDeleteAsync(Key(key)).ConfigureAwait(false);

    /// <summary>What <c>HashSlot</c> answers on a single Redis.</summary>
    private const int NoSlot = -1;

    private RedisKey Key(string key) => keyPrefix + key;

    private IDatabase Database() => connection.GetAsync().GetAwaiter().GetResult().GetDatabase();

    /// <summary>The connection for awaited calls (opened as the node starts: <see cref="RedisConnection.Opening"/>).</summary>
    private ValueTask<IConnectionMultiplexer> ConnectedAsync()
    {
        var connecting = connection.GetForAwaitedCallsAsync();
        return connecting.IsCompletedSuccessfully ? ValueTask.FromResult(connecting.Result) : new(connecting);
    }

    /// <summary>The call's answer, or <paramref name="forgiven"/> when it is the first in a row not answered in time.</summary>
    private async Task<T> Bounded<T>(Task<T> call, T forgiven)
    {
        try
        {
            var answer = await call.WaitAsync(timeout).ConfigureAwait(false);
            Answered();
            return answer;
        }
        catch (TimeoutException) when (call.IsCompletedSuccessfully)
        {
            Answered();
            return call.Result;
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            Observe(call);
            return TimedOut() is { } failure ? throw failure : forgiven;
        }
    }

    private void Answered()
    {
        if (Volatile.Read(ref _timedOut) != 0)
        {
            Volatile.Write(ref _timedOut, 0);
        }
    }

    /// <summary>Null for the first call in a row that timed out (forgiven); the failure for the ones after it.</summary>
    private TimeoutException? TimedOut() =>
        Interlocked.Exchange(ref _timedOut, 1) == 0 ? null : new($"Redis did not answer within {timeout.TotalMilliseconds:0} ms");

    /// <summary>A call given up on may still fail later; its failure is then seen here, not reported as unobserved.</summary>
    private static void Observe(Task call) =>
        _ = call.ContinueWith(static c => _ = c.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>A reply's value; nil (missing, or not a string) is a miss.</summary>
    private static byte[]? Bytes(RedisValue value) => value.IsNull ? null : (byte[]?)value;

    /// <summary>A relative expiry (<c>PX</c>, which every Redis version has), whichever way the options give it.</summary>
    private static Expiration Expiry(DistributedCacheEntryOptions options)
    {
        if (options.AbsoluteExpirationRelativeToNow is { } relative)
        {
            return relative;
        }

        if (options.AbsoluteExpiration is { } absolute)
        {
            var left = absolute - DateTimeOffset.UtcNow;
            return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
        }

        return options.SlidingExpiration is { } sliding ? sliding : Expiration.Default;
    }

    /// <summary>
    /// Sends what waits; when its answer comes, sends what arrived meanwhile and only then answers the callers
    /// (their continuations run on this thread, in turn), until nothing waits.
    /// </summary>
    private async Task ReadWaitingAsync(IDatabase database)
    {
        var batch = TakeWaiting()!;
        var reply = Send(database, batch);
        while (true)
        {
            Exception? failure = null;
            try
            {
                await reply.WaitAsync(timeout).ConfigureAwait(false);
                Answered();
            }
            catch (TimeoutException) when (!reply.IsCompleted)
            {
                // Redis is not answering: the reads queued behind this one would wait as long, so they go with it.
                Observe(reply);
                var timedOut = TimedOut();
                GiveUp(batch, timedOut);
                GiveUp(TakeAllWaiting(), timedOut);
                return;
            }
            catch (Exception e)
            {
                // A reply that came just as the wait ended is still the answer.
                failure = reply.IsCompletedSuccessfully ? null : e;
            }

            var next = TakeWaiting();
            var nextReply = next is null ? null : Send(database, next);
            if (failure is RedisServerException crossSlot && crossSlot.Message.StartsWith("CROSSSLOT", StringComparison.Ordinal))
            {
                // A cluster not yet discovered looked like a single Redis: its keys are asked one by one instead.
                foreach (var read in batch)
                {
                    _ = ReadAloneAsync(database, read);
                }
            }
            else
            {
                Answer(batch, reply, failure);
            }

            if (next is null)
            {
                return;
            }

            (batch, reply) = (next, nextReply!);
        }
    }

    /// <summary>Everything waiting, or null (and no read in flight any more) when nothing is.</summary>
    private List<PendingRead>? TakeWaiting()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _reading = false;
                return null;
            }

            var taken = _waiting;
            _waiting = [];
            return taken;
        }
    }

    /// <summary>Everything waiting; no read is in flight any more.</summary>
    private List<PendingRead> TakeAllWaiting()
    {
        lock (_gate)
        {
            var taken = _waiting;
            _waiting = [];
            _reading = false;
            return taken;
        }
    }

    /// <summary>Fails the reads, or answers them as misses when the timeout is forgiven.</summary>
    private static void GiveUp(List<PendingRead> reads, TimeoutException? failure)
    {
        foreach (var read in reads)
        {
            if (failure is null)
            {
                read.TrySetResult(null);
            }
            else
            {
                read.TrySetException(failure);
            }
        }
    }

    /// <summary>One <c>MGET</c> per <see cref="MaxKeysPerRead"/> keys, all sent at once; a failure to send is a failed reply.</summary>
    private Task<RedisValue[][]> Send(IDatabase database, List<PendingRead> batch)
    {
        try
        {
            return SendChunks(database, batch);
        }
        catch (Exception e)
        {
            return Task.FromException<RedisValue[][]>(e);
        }
    }

    private Task<RedisValue[][]> SendChunks(IDatabase database, List<PendingRead> batch)
    {
        var chunks = new Task<RedisValue[]>[(batch.Count + MaxKeysPerRead - 1) / MaxKeysPerRead];
        for (var c = 0; c < chunks.Length; c++)
        {
            var keys = new RedisKey[Math.Min(MaxKeysPerRead, batch.Count - (c * MaxKeysPerRead))];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = batch[(c * MaxKeysPerRead) + i].Key;
            }

            Interlocked.Increment(ref _readsSent);
            chunks[c] = database.StringGetAsync(keys);
        }

        return Task.WhenAll(chunks);
    }

    private async Task ReadAloneAsync(IDatabase database, PendingRead read)
    {
        try
        {
            read.TrySetResult(Bytes(await Bounded(database.StringGetAsync(read.Key), RedisValue.Null).ConfigureAwait(false)));
        }
        catch (Exception e)
        {
            read.TrySetException(e);
        }
    }

    private static void Answer(List<PendingRead> batch, Task<RedisValue[][]> reply, Exception? failure)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (failure is not null)
            {
                batch[i].TrySetException(failure);
            }
            else
            {
                batch[i].TrySetResult(Bytes(reply.Result[i / MaxKeysPerRead][i % MaxKeysPerRead]));
            }
        }
    }

    private sealed class PendingRead(RedisKey key) : TaskCompletionSource<byte[]?>
    {
        public RedisKey Key { get; } = key;
    }
}

using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace IdResolution.Caching;

/// <summary>
/// The L2 cache on Redis strings (<c>SET key value PX ttl</c>), whose concurrent reads go out together: a read sent
/// while none is in flight goes at once; the ones arriving meanwhile wait for it and go as one <c>MGET</c> (per hash
/// slot on Redis Cluster), up to <see cref="MaxKeysPerRead"/> keys each. A read of the L2 costs a round trip and a
/// hand-off between threads; sharing both is what lets Redis-served resolves keep up.
/// </summary>
/// <remarks>
/// Expirations are absolute (FusionCache sets no sliding ones), so <see cref="Refresh"/> has nothing to do. Keys are
/// the ones Microsoft's RedisCache used; a key it left as a hash reads as missing (<c>MGET</c> answers nil for it)
/// and the next write replaces it.
/// </remarks>
public sealed class RedisStringCache(RedisConnection connection, string keyPrefix) : IDistributedCache
{
    private const int MaxKeysPerRead = 128;

    private readonly Lock _gate = new();
    private List<PendingRead> _waiting = [];
    private bool _reading;
    private long _readsSent;

    /// <summary>How many <c>MGET</c>s have gone to Redis (fewer than the reads asked for, when they go together).</summary>
    public long ReadsSent => Interlocked.Read(ref _readsSent);

    public byte[]? Get(string key) => Database().StringGet(Key(key));

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        var read = new PendingRead(Key(key));
        bool start;
        lock (_gate)
        {
            _waiting.Add(read);
            start = !_reading;
            _reading = true;
        }

        if (start)
        {
            _ = ReadWaitingAsync();
        }

        // A caller that stops waiting is answered at once; its key stays in the read it joined.
        await using var cancellation = token.Register(static state => ((PendingRead)state!).TrySetCanceled(), read);
        return await read.Task;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        Database().StringSet(Key(key), value, Expiry(options));

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        await (await connection.GetAsync()).GetDatabase().StringSetAsync(Key(key), value, Expiry(options));

    public void Refresh(string key)
    {
    }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => Database().KeyDelete(Key(key));

    public async Task RemoveAsync(string key, CancellationToken token = default) =>
        await (await connection.GetAsync()).GetDatabase().KeyDeleteAsync(Key(key));

    private RedisKey Key(string key) => keyPrefix + key;

    private IDatabase Database() => connection.GetAsync().GetAwaiter().GetResult().GetDatabase();

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

    /// <summary>Sends what waits, then what arrived meanwhile, until nothing waits.</summary>
    private async Task ReadWaitingAsync()
    {
        while (true)
        {
            List<PendingRead> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _reading = false;
                    return;
                }

                (batch, _waiting) = (_waiting, []);
            }

            try
            {
                var database = (await connection.GetAsync()).GetDatabase();
                await Task.WhenAll(ReadGroupsAsync(database, batch));
            }
            catch (Exception e)
            {
                foreach (var read in batch)
                {
                    read.TrySetException(e);
                }
            }
        }
    }

    /// <summary>One <c>MGET</c> per hash slot (one slot for a single Redis) and per <see cref="MaxKeysPerRead"/> keys.</summary>
    private List<Task> ReadGroupsAsync(IDatabase database, List<PendingRead> batch)
    {
        var groups = new Dictionary<int, List<PendingRead>>();
        foreach (var read in batch)
        {
            var slot = database.Multiplexer.HashSlot(read.Key);
            if (!groups.TryGetValue(slot, out var group))
            {
                groups[slot] = group = [];
            }

            group.Add(read);
        }

        var sent = new List<Task>();
        foreach (var group in groups.Values)
        {
            for (var start = 0; start < group.Count; start += MaxKeysPerRead)
            {
                sent.Add(ReadAsync(database, group.GetRange(start, Math.Min(MaxKeysPerRead, group.Count - start))));
            }
        }

        return sent;
    }

    private async Task ReadAsync(IDatabase database, List<PendingRead> reads)
    {
        Interlocked.Increment(ref _readsSent);
        var keys = new RedisKey[reads.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = reads[i].Key;
        }

        RedisValue[] values;
        try
        {
            values = await database.StringGetAsync(keys);
        }
        catch (Exception e)
        {
            foreach (var read in reads)
            {
                read.TrySetException(e);
            }

            return;
        }

        // Completed here, so each caller's continuation runs on this thread in turn: no hand-off per read.
        for (var i = 0; i < reads.Count; i++)
        {
            reads[i].TrySetResult(values[i].IsNull ? null : (byte[]?)values[i]);
        }
    }

    private sealed class PendingRead(RedisKey key) : TaskCompletionSource<byte[]?>
    {
        public RedisKey Key { get; } = key;
    }
}

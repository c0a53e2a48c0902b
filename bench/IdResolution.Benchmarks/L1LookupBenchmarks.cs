using System.Collections.Concurrent;
using System.Text;
using BenchmarkDotNet.Attributes;
using IdResolution.Caching;
using IdResolution.Core.Values;
using Microsoft.Extensions.Caching.Memory;
using ZiggyCreatures.Caching.Fusion;

namespace IdResolution.Benchmarks;

/// <summary>
/// One L1 lookup among 1,000 or 100,000 entries at random, as BatchResolve and the uniform mix meet them: far more entries than
/// the CPU caches hold (at 100,000), so each object a lookup walks through costs a memory load. <see cref="CacheLibraryBenchmarks"/>
/// asks one key, whose objects stay cached. Per lookup (OperationsPerInvoke); the same sizes and options as the node's L1.
/// </summary>
[MemoryDiagnoser]
public class L1LookupBenchmarks
{
    private const int Batch = 100;
    private readonly FusionCacheEntryOptions _memoryOnly = new FusionCacheEntryOptions().SetSkipDistributedCacheRead(true);
    private string[] _keys = null!;
    private string[][] _batches = null!;
    private int _next;
    private FusionCache _fusion = null!;
    private MemoryCache _memory = null!;
    private ConcurrentDictionary<string, object> _dictionary = null!;
    private InProcessEntries _entries = null!;

    /// <summary>1,000 entries fit the CPU caches (load.sh's informative BatchResolve row); 100,000 do not.</summary>
    [Params(1_000, 100_000)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _keys = new string[Count];
        _memory = NodeLikeMemoryCache();
        _fusion = new FusionCache(new FusionCacheOptions(), NodeLikeMemoryCache());
        _dictionary = new(StringComparer.Ordinal);
        _entries = new InProcessEntries(4_000_000_000, TimeProvider.System);
        for (var i = 0; i < Count; i++)
        {
            _keys[i] = "88.118.8.1001/L-" + i;
            var value = new byte[700];
            _memory.Set(_keys[i], value, new MemoryCacheEntryOptions { Size = 1000, AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
            _fusion.Set(_keys[i], (object)value, new FusionCacheEntryOptions(TimeSpan.FromHours(1)) { Size = 1000 });
            _dictionary[_keys[i]] = value;
            var record = new HandleRecord(_keys[i], 1, [new HandleValue(1, "URL", Encoding.UTF8.GetBytes("https://example.com/products/" + i))]);
            _entries.Set(_keys[i], CachedResolution.FromRegistry(record, _keys[i]), TimeSpan.FromHours(1), TimeSpan.FromMinutes(30));
        }

        var random = new Random(1);
        _batches = new string[1000][];
        for (var b = 0; b < _batches.Length; b++)
        {
            _batches[b] = new string[Batch];
            for (var i = 0; i < Batch; i++)
            {
                // A new string per name, as a parsed request gives: no reference-equality shortcut.
                _batches[b][i] = new string(_keys[random.Next(Count)].AsSpan());
            }
        }
    }

    private static MemoryCache NodeLikeMemoryCache() => new(new MemoryCacheOptions { SizeLimit = 4_000_000_000, CompactionPercentage = 0.1 });

    private string[] NextBatch() => _batches[_next++ % _batches.Length];

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int ConcurrentDictionary()
    {
        var found = 0;
        foreach (var key in NextBatch())
        {
            found += _dictionary.TryGetValue(key, out _) ? 1 : 0;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int MemoryCache()
    {
        var found = 0;
        foreach (var key in NextBatch())
        {
            found += _memory.TryGetValue(key, out _) ? 1 : 0;
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int FusionCache()
    {
        var found = 0;
        foreach (var key in NextBatch())
        {
            found += _fusion.TryGet<object>(key, _memoryOnly).HasValue ? 1 : 0;
        }

        return found;
    }

    /// <summary>The node's own L1 for found records (since session 16), which replaced FusionCache's memory level for them.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int NodeInProcessEntries()
    {
        var found = 0;
        foreach (var key in NextBatch())
        {
            found += _entries.TryGetFresh(key) is null ? 0 : 1;
        }

        return found;
    }
}

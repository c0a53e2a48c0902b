using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;
using ZiggyCreatures.Caching.Fusion;

namespace IdResolution.Benchmarks;

/// <summary>
/// What FusionCache costs over the bare MemoryCache it wraps, per L1 hit: the numbers behind choosing it
/// (and its synchronous memory-only TryGet for the hot path) over a cache of our own.
/// </summary>
[MemoryDiagnoser]
public class CacheLibraryBenchmarks
{
    private readonly FusionCache _fusion = new(new FusionCacheOptions());
    private readonly MemoryCache _memory = new(new MemoryCacheOptions());
    private readonly object _value = new();
    private readonly FusionCacheEntryOptions _memoryOnly = new FusionCacheEntryOptions().SetSkipDistributedCacheRead(true);
    private readonly Func<FusionCacheFactoryExecutionContext<object>, CancellationToken, Task<object>> _factory;

    public CacheLibraryBenchmarks() => _factory = (_, _) => Task.FromResult(_value);

    [GlobalSetup]
    public void Setup()
    {
        _fusion.Set("k", _value);
        _memory.Set("k", _value);
    }

    [Benchmark(Baseline = true)]
    public object? MemoryCache_TryGetValue() => _memory.TryGetValue("k", out var value) ? value : null;

    [Benchmark]
    public object? FusionCache_TryGet_MemoryOnly() => _fusion.TryGet<object>("k", _memoryOnly).GetValueOrDefault(_value);

    [Benchmark]
    public async Task<object?> FusionCache_TryGetAsync() => (await _fusion.TryGetAsync<object>("k", _memoryOnly)).GetValueOrDefault(_value);

    [Benchmark]
    public async Task<object?> FusionCache_GetOrSetAsync() => await _fusion.GetOrSetAsync<object>("k", _factory, default(MaybeValue<object>));
}

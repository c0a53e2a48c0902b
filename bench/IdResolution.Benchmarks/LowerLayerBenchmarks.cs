using BenchmarkDotNet.Attributes;
using IdResolution.Core.Handles;
using IdResolution.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace IdResolution.Benchmarks;

/// <summary>Resolves that miss memory: answered by Redis (L1 off), or read from the registry (no cache at all).</summary>
[MemoryDiagnoser]
public class LowerLayerBenchmarks
{
    private const int Handles = 100;
    private BenchNode _redisOnly = null!;
    private BenchNode _postgres = null!;
    private BenchNode _sqlite = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _redisOnly = await BenchNode.StartAsync(Handles, postgres: true, redis: true, memory: false);
        await _redisOnly.Resolver.ResolveManyAsync(Enumerable.Range(0, Handles).Select(BenchNode.Handle).ToArray(), false, CancellationToken.None);
        _postgres = await BenchNode.StartAsync(Handles, postgres: true);
        _sqlite = await BenchNode.StartAsync(Handles);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _redisOnly.DisposeAsync();
        await _postgres.DisposeAsync();
        await _sqlite.DisposeAsync();
    }

    [Benchmark]
    public async Task<int> RedisHit() => (await _redisOnly.Resolver.ResolveAsync(NextHandle(), false, CancellationToken.None)).Entry!.PublicJson.Length;

    [Benchmark]
    public async Task<long> PostgresLookup() => await FindAsync(_postgres);

    [Benchmark]
    public async Task<long> SqliteLookup() => await FindAsync(_sqlite);

    private async Task<long> FindAsync(BenchNode node)
    {
        await using var scope = node.Services.CreateAsyncScope();
        var record = await scope.ServiceProvider.GetRequiredService<HandleRegistry>().FindAsync(HandleName.Parse(NextHandle()), CancellationToken.None);
        return record!.Version;
    }

    private string NextHandle() => BenchNode.Handle(_next++ % Handles);
}

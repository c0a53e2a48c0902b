using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using IdResolution.Caching;
using IdResolution.Contracts;
using IdResolution.Core.Values;
using IdResolution.Server.Resolution;
using Microsoft.Extensions.Caching.Memory;

namespace IdResolution.Benchmarks;

/// <summary>
/// The L1-hit path as the endpoints run it: resolve (parse, memory lookup) and write the answer bytes.
/// Baseline: a bare MemoryCache lookup of a pre-encoded answer, the least any cache can do.
/// </summary>
[MemoryDiagnoser]
public class ResolveHitBenchmarks
{
    private const int Handles = 100;
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly MemoryCache _bareCache = new(new MemoryCacheOptions());
    private readonly string[] _batch = Enumerable.Range(0, Handles).Select(BenchNode.Handle).ToArray();
    private readonly string _handle = BenchNode.Handle(7);
    private readonly ValueFilter _urlOnly = new(["URL"], []);
    private BenchNode _node = null!;
    private HandleResolver _resolver = null!;
    private Contracts.V1.ResolveResponse _message = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _node = await BenchNode.StartAsync(Handles);
        _resolver = _node.Resolver;
        await _resolver.ResolveManyAsync(_batch, authoritative: false, CancellationToken.None);
        var entry = (await _resolver.ResolveAsync(_handle, false, CancellationToken.None)).Entry!;
        _bareCache.Set(_handle, entry.PublicJson);
        // Kept from its second use; the message its bytes encode is what an ordinary service would hold and serialise.
        _ = entry.PublicResponseTask;
        PreEncodedMessages.TryGet(entry.PublicResponseTask.Result, out var encoded);
        _message = Contracts.V1.ResolveResponse.Parser.ParseFrom(encoded);
        foreach (var other in (string[])[BenchNode.Oid, BenchNode.Gs1, BenchNode.Oid, BenchNode.Gs1])
        {
            _ = (await _resolver.ResolveAsync(other, false, CancellationToken.None)).Entry!.PublicJson;
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _node.DisposeAsync();

    [Benchmark(Baseline = true)]
    public int BareMemoryCache_Json()
    {
        _output.ResetWrittenCount();
        _output.Write((byte[])_bareCache.Get(_handle)!);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Resolve_Json()
    {
        _output.ResetWrittenCount();
        _output.Write(Hit(_handle).PublicJson);
        return _output.WrittenCount;
    }

    /// <summary>The same hit for an OID (<c>1.2.156.1001.7.42</c>, bare dotted form): #11 asks for within 10% of <see cref="Resolve_Json"/>.</summary>
    [Benchmark]
    public int Resolve_Json_Oid()
    {
        _output.ResetWrittenCount();
        _output.Write(Hit(BenchNode.Oid).PublicJson);
        return _output.WrittenCount;
    }

    /// <summary>The same hit for a GTIN + serial in its handle form (<c>GS1/01/.../21/S1</c>).</summary>
    [Benchmark]
    public int Resolve_Json_Gs1()
    {
        _output.ResetWrittenCount();
        _output.Write(Hit(BenchNode.Gs1).PublicJson);
        return _output.WrittenCount;
    }

    /// <summary>What the gRPC service and its marshaller do on a hit: find the kept answer's bytes and write them.</summary>
    [Benchmark]
    public int Resolve_Protobuf()
    {
        _output.ResetWrittenCount();
        PreEncodedMessages.TryGet(Hit(_handle).PublicResponseTask.Result, out var bytes);
        _output.Write(bytes);
        return _output.WrittenCount;
    }

    /// <summary>Serialising the same answer per call, as an ordinary gRPC service would.</summary>
    [Benchmark]
    public int Resolve_ProtobufSerialisedPerCall()
    {
        _output.ResetWrittenCount();
        _ = Hit(_handle);
        _message.WriteTo(_output);
        return _output.WrittenCount;
    }

    /// <summary>A filtered resolve is encoded per request (it allocates; shown for comparison).</summary>
    [Benchmark]
    public int Resolve_FilteredJson()
    {
        _output.ResetWrittenCount();
        using var writer = new System.Text.Json.Utf8JsonWriter(_output, Core.Json.HandleJsonWriter.Options);
        var entry = Hit(_handle);
        Core.Json.HandleJsonWriter.WriteRecord(writer, entry.Handle, ValueVisibility.Select(entry.Record!.Values, _urlOnly, includeRestricted: false));
        writer.Flush();
        return _output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Handles)]
    public async Task<int> BatchResolve100() => (await _resolver.ResolveManyAsync(_batch, authoritative: false, CancellationToken.None)).Length;

    private CachedResolution Hit(string handle)
    {
        var resolution = _resolver.ResolveAsync(handle, authoritative: false, CancellationToken.None);
        return resolution.IsCompletedSuccessfully ? resolution.Result.Entry! : throw new InvalidOperationException("not an L1 hit");
    }
}

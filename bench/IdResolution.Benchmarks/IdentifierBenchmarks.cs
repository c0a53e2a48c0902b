using BenchmarkDotNet.Attributes;
using IdResolution.Core.Handles;

namespace IdResolution.Benchmarks;

/// <summary>Parsing and normalising a name (handle, OID, GS1 key), the first step of every resolve.</summary>
[MemoryDiagnoser]
public class IdentifierBenchmarks
{
    private readonly string _normalised = "88.118.8.1001/SHAMPOO-2026-000123";
    private readonly string _lowerCasePrefix = "88.118.8.abc/SHAMPOO-2026-000123";

    [Benchmark(Baseline = true)]
    public int IndexOfSlash() => _normalised.IndexOf('/', StringComparison.Ordinal);

    [Benchmark]
    public string Parse_NormalisedPrefix() => HandleName.TryParse(_normalised, out var name, out _) ? name.Key : "";

    [Benchmark]
    public string Parse_LowerCasePrefix() => HandleName.TryParse(_lowerCasePrefix, out var name, out _) ? name.Key : "";

    [Benchmark]
    public string Parse_Oid() => HandleName.TryParse(BenchNode.Oid, out var name, out _) ? name.Key : "";

    [Benchmark]
    public string Parse_Gs1() => HandleName.TryParse(BenchNode.Gs1, out var name, out _) ? name.Key : "";
}

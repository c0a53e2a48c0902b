using System.Diagnostics;
using System.Diagnostics.Metrics;
using IdResolution.Caching;
using IdResolution.Core;

namespace IdResolution.Server.Telemetry;

/// <summary>
/// <c>idres.resolve.duration</c> (seconds): every resolve, by protocol (<c>idres.protocol</c> = http | grpc |
/// grpc.batch, one measure per BatchResolve call),
/// Handle response code (<c>idres.response_code</c>) and the cache layer that answered (<c>idres.cache.layer</c> =
/// memory | redis | registry | none). Rates, latency percentiles and hit ratios per protocol all come from it.
/// <c>idres.resolve.batch.items</c> counts the identifiers inside BatchResolve calls by response code.
/// </summary>
public sealed class ResolveMetrics
{
    public const string MeterName = "IdResolution.Resolve";
    public const string Http = "http";
    public const string Grpc = "grpc";
    public const string GrpcBatch = "grpc.batch";
    public const string DigitalLink = "gs1.digital-link";
    public const string NativeTcp = "handle.tcp";
    public const string NativeUdp = "handle.udp";

    private static readonly double[] Buckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private static readonly object[] Codes = Enum.GetValues<ResponseCode>().Select(c => (object)(int)c).ToArray();

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _batchItems;

    public ResolveMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram(
            "idres.resolve.duration", unit: "s", description: "Duration of identifier resolutions.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        _batchItems = meter.CreateCounter<long>(
            "idres.resolve.batch.items", unit: "{identifier}", description: "Identifiers resolved inside BatchResolve calls, by Handle response code.");
    }

    /// <summary>Identifiers answered inside a BatchResolve call (the call itself is one <c>grpc.batch</c> duration).</summary>
    public void BatchItems(ResponseCode code, int count)
    {
        if (count > 0 && _batchItems.Enabled)
        {
            _batchItems.Add(count, new KeyValuePair<string, object?>("idres.response_code", Boxed(code)));
        }
    }

    public void Resolved(string protocol, ResponseCode code, CacheLayer? layer, long startedTimestamp)
    {
        if (!_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "idres.protocol", protocol },
            { "idres.response_code", Boxed(code) },
            { "idres.cache.layer", layer switch { CacheLayer.Memory => "memory", CacheLayer.Redis => "redis", CacheLayer.Registry => "registry", CacheLayer.Remote => "remote", _ => "none" } },
        };
        _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }

    /// <summary>Response codes boxed once, so that recording does not allocate.</summary>
    private static object Boxed(ResponseCode code)
    {
        foreach (var boxed in Codes)
        {
            if ((int)boxed == (int)code)
            {
                return boxed;
            }
        }

        return (int)code;
    }
}

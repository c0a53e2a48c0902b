using System.Diagnostics.Metrics;
using IdResolution.Server.Telemetry;

namespace IdResolution.Server.Dashboard;

/// <summary>
/// The last five minutes of this node's resolves, second by second, for the dashboard: counts and latency
/// buckets per protocol, answers by cache layer and by response code. Fed by a listener on
/// <c>idres.resolve.duration</c>, so it sees exactly what the exported metrics see, at the cost of a few
/// interlocked adds per resolve.
/// </summary>
public sealed class ResolveTimeline : IDisposable
{
    public const int Seconds = 300;
    public static readonly string[] Protocols = [ResolveMetrics.Http, ResolveMetrics.Grpc, ResolveMetrics.GrpcBatch];
    public static readonly string[] Layers = ["memory", "redis", "registry", "none"];

    /// <summary>Response codes counted one by one; any other code is counted in one extra slot (reported as 0).</summary>
    public static readonly int[] Codes = Enum.GetValues<Core.ResponseCode>().Select(c => (int)c).ToArray();

    /// <summary>Upper bounds (seconds) of the latency buckets; the last bucket is open.</summary>
    public static readonly double[] Bounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly MeterListener _listener = new();
    private readonly Second[] _ring = new Second[Seconds];
    private readonly Lock _lock = new();
    private Second _current;
    private TimeSpan _pausedBefore = GC.GetTotalPauseDuration();

    public ResolveTimeline(IMeterFactory meters, TimeProvider clock)
    {
        for (var i = 0; i < _ring.Length; i++)
        {
            _ring[i] = new Second();
        }

        _current = _ring[0];
        _current.Start = clock.GetUtcNow().ToUnixTimeSeconds();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "idres.resolve.duration" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) => Record(seconds, tags));
        _listener.Start();
        Clock = clock;
    }

    public TimeProvider Clock { get; }

    /// <summary>
    /// Moves to a new second (called once a second); the oldest second is reused. The second ending keeps how long
    /// the garbage collector paused the process during it: every request in flight waited that long.
    /// </summary>
    public void Tick()
    {
        lock (_lock)
        {
            var paused = GC.GetTotalPauseDuration();
            _current.GcPauseMs = (paused - _pausedBefore).TotalMilliseconds;
            _pausedBefore = paused;
            var next = _ring[(Array.IndexOf(_ring, _current) + 1) % _ring.Length];
            next.Reset(Clock.GetUtcNow().ToUnixTimeSeconds());
            _current = next;
        }
    }

    /// <summary>Copies of the completed seconds, oldest first (the current, partial second is left out).</summary>
    public List<Second> History()
    {
        lock (_lock)
        {
            var at = Array.IndexOf(_ring, _current);
            var seconds = new List<Second>(_ring.Length);
            for (var i = 1; i < _ring.Length; i++)
            {
                var second = _ring[(at + i) % _ring.Length];
                if (second.Start > 0)
                {
                    seconds.Add(second.Copy());
                }
            }

            return seconds;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var protocol = -1;
        var layer = Layers.Length - 1;
        var code = 0;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "idres.protocol":
                    protocol = Array.IndexOf(Protocols, tag.Value as string);
                    break;
                case "idres.cache.layer":
                    layer = Math.Max(0, Array.IndexOf(Layers, tag.Value as string));
                    break;
                case "idres.response_code":
                    code = tag.Value is int c ? c : 0;
                    break;
            }
        }

        if (protocol < 0)
        {
            return;
        }

        var second = Volatile.Read(ref _current);
        Interlocked.Increment(ref second.Count[protocol]);
        var bucket = Array.BinarySearch(Bounds, seconds);
        Interlocked.Increment(ref second.Latency[protocol, bucket < 0 ? ~bucket : bucket]);
        Interlocked.Increment(ref second.ByLayer[layer]);
        if (code is not (1 or 200))
        {
            Interlocked.Increment(ref second.Errors);
            var slot = Array.IndexOf(Codes, code);
            Interlocked.Increment(ref second.ErrorCodes[slot < 0 ? Codes.Length : slot]);
        }
    }

    public sealed class Second
    {
        public long Start;
        public long Errors;
        public double GcPauseMs;
        public readonly long[] Count = new long[Protocols.Length];
        public readonly long[,] Latency = new long[Protocols.Length, Bounds.Length + 1];
        public readonly long[] ByLayer = new long[Layers.Length];
        public readonly long[] ErrorCodes = new long[Codes.Length + 1];

        public void Reset(long start)
        {
            Start = start;
            Errors = 0;
            GcPauseMs = 0;
            Array.Clear(Count);
            Array.Clear(Latency);
            Array.Clear(ByLayer);
            Array.Clear(ErrorCodes);
        }

        public Second Copy()
        {
            var copy = new Second { Start = Start, Errors = Errors, GcPauseMs = GcPauseMs };
            Array.Copy(Count, copy.Count, Count.Length);
            Array.Copy(Latency, copy.Latency, Latency.Length);
            Array.Copy(ByLayer, copy.ByLayer, ByLayer.Length);
            Array.Copy(ErrorCodes, copy.ErrorCodes, ErrorCodes.Length);
            return copy;
        }
    }
}

using System.Globalization;

namespace IdResolution.LoadGen;

/// <summary>Latency samples in microseconds and the one-line JSON summary load.sh reads.</summary>
public sealed class Latencies
{
    private readonly List<double> _micros = new(1 << 20);
    private readonly Lock _lock = new();
    private long _errors;

    public void Add(double micros)
    {
        lock (_lock)
        {
            _micros.Add(micros);
        }
    }

    public void Error() => Interlocked.Increment(ref _errors);

    public string Summary(TimeSpan elapsed, int itemsPerCall = 1)
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _micros];
        }

        Array.Sort(sorted);
        var rps = sorted.Length / elapsed.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"rps\":{rps:F0},\"ids_per_s\":{rps * itemsPerCall:F0},\"p50_ms\":{Percentile(sorted, 0.50) / 1000:F3},\"p99_ms\":{Percentile(sorted, 0.99) / 1000:F3},\"p999_ms\":{Percentile(sorted, 0.999) / 1000:F3},\"requests\":{sorted.Length},\"errors\":{Interlocked.Read(ref _errors)}}}");
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

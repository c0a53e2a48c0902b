using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>
/// Sums one counter of one node (its meters' scope) from now on, optionally only measurements with a given tag value.
/// An observable counter reports running totals: its sum is the difference between now and the start.
/// </summary>
public sealed class NodeMetric : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _observing = new();
    private readonly long _observedAtStart;
    private long _total;
    private bool _observable;

    public NodeMetric(NodeServer node, string instrument, string? tag = null, string? value = null)
    {
        var meters = node.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Name == instrument && ReferenceEquals(published.Meter.Scope, meters))
            {
                _observable = published.IsObservable;
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
        {
            if (tag is null || Matches(tags, tag, value))
            {
                Interlocked.Add(ref _total, measurement);
            }
        });
        _listener.Start();
        if (_observable)
        {
            _observedAtStart = ObserveTotal();
        }
    }

    public long Total => _observable ? ObserveTotal() - _observedAtStart : Interlocked.Read(ref _total);

    /// <summary>One gauge of one node, read now.</summary>
    public static long Observe(NodeServer node, string instrument)
    {
        var meters = node.Services.GetRequiredService<IMeterFactory>();
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (published, l) =>
        {
            if (published.Name == instrument && ReferenceEquals(published.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(published);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? throw new InvalidOperationException($"the node has no gauge {instrument}");
    }

    public void Dispose() => _listener.Dispose();

    private long ObserveTotal()
    {
        lock (_observing)
        {
            Interlocked.Exchange(ref _total, 0);
            _listener.RecordObservableInstruments();
            return Interlocked.Read(ref _total);
        }
    }

    private static bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags, string tag, string? value)
    {
        foreach (var t in tags)
        {
            if (t.Key == tag && (string?)t.Value == value)
            {
                return true;
            }
        }

        return false;
    }
}

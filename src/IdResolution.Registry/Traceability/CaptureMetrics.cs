using System.Diagnostics.Metrics;

namespace IdResolution.Registry.Traceability;

/// <summary><c>idres.epcis.events</c>: captured events by outcome (<c>idres.outcome</c> = stored | duplicate | corrected).</summary>
public sealed class CaptureMetrics
{
    public const string MeterName = "IdResolution.Registry";

    private static readonly KeyValuePair<string, object?> Stored = new("idres.outcome", "stored");
    private static readonly KeyValuePair<string, object?> Duplicate = new("idres.outcome", "duplicate");
    private static readonly KeyValuePair<string, object?> Corrected = new("idres.outcome", "corrected");
    private readonly Counter<long> _events;

    public CaptureMetrics(IMeterFactory meters) =>
        _events = meters.Create(MeterName).CreateCounter<long>("idres.epcis.events", unit: "{event}", description: "Captured EPCIS events, by outcome.");

    public void Captured(CaptureResult result)
    {
        _events.Add(result.Stored, Stored);
        _events.Add(result.Duplicates, Duplicate);
        _events.Add(result.Corrected, Corrected);
    }
}

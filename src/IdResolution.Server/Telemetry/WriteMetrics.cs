using System.Diagnostics.Metrics;
using IdResolution.Core.Handles;
using IdResolution.Registry;

namespace IdResolution.Server.Telemetry;

/// <summary>
/// <c>idres.registry.writes</c>: committed identifier writes by kind (<c>idres.change</c> = created | updated |
/// deleted), whatever the protocol that made them. Refused writes show in the request metrics by status.
/// </summary>
public sealed class WriteMetrics : IHandleWriteListener
{
    public const string MeterName = "IdResolution.Registry";

    private static readonly KeyValuePair<string, object?>[] Changes =
    [
        new("idres.change", "created"),
        new("idres.change", "updated"),
        new("idres.change", "deleted"),
    ];

    private readonly Counter<long> _writes;

    public WriteMetrics(IMeterFactory meters) =>
        _writes = meters.Create(MeterName).CreateCounter<long>(
            "idres.registry.writes", unit: "{write}", description: "Committed identifier writes, by kind of change.");

    /// <summary>Identifiers created in bulk (an import batch).</summary>
    public void Created(long count) => _writes.Add(count, Changes[(int)HandleChange.Created]);

    public Task HandleWrittenAsync(HandleName name, HandleChange change, CancellationToken cancellationToken)
    {
        if (change != HandleChange.AliasesChanged)
        {
            _writes.Add(1, Changes[(int)change]);
        }

        return Task.CompletedTask;
    }
}

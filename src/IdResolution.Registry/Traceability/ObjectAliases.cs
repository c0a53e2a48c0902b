using IdResolution.Core.Traceability;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry.Traceability;

/// <summary>
/// One object, one name in the event index: events are indexed under the name an alias (HS_ALIAS) stands for, so a
/// trace, an object's events or its state are the same whichever of its names was captured or asked. When a name
/// becomes an alias, what was indexed under it moves to its target (<see cref="MergeAsync"/>), in the same transaction.
/// </summary>
public sealed class ObjectAliases(RegistryContext db)
{
    /// <summary>The targets of those of <paramref name="names"/> that are aliases.</summary>
    public async Task<Dictionary<string, string>> TargetsAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        names.Count == 0
            ? []
            : await db.Aliases.AsNoTracking().Where(a => names.Contains(a.AliasKey)).ToDictionaryAsync(a => a.AliasKey, a => a.TargetKey, StringComparer.Ordinal, cancellationToken);

    /// <summary>The name events about this object are indexed under.</summary>
    public async Task<string> CanonicalAsync(string name, CancellationToken cancellationToken) =>
        await db.Aliases.AsNoTracking().Where(a => a.AliasKey == name).Select(a => a.TargetKey).FirstOrDefaultAsync(cancellationToken) ?? name;

    /// <summary>The names, each replaced by its target when it is an alias.</summary>
    public async Task<IReadOnlyList<string>> CanonicalAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var targets = await TargetsAsync(names.ToList(), cancellationToken);
        return targets.Count == 0 ? names : names.Select(n => targets.GetValueOrDefault(n, n)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The events with their objects named canonically.</summary>
    public async Task<List<EpcisEvent>> CanonicalAsync(List<EpcisEvent> events, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            foreach (var o in e.Objects)
            {
                names.Add(o.Name);
            }
        }

        var targets = await TargetsAsync(names, cancellationToken);
        return targets.Count == 0
            ? events
            : events.ConvertAll(e => e with { Objects = e.Objects.Select(o => o with { Name = targets.GetValueOrDefault(o.Name, o.Name) }).ToList() });
    }

    /// <summary>
    /// Moves what the index holds under <paramref name="alias"/> to <paramref name="target"/>: the events' objects, the
    /// genealogy links (dropping any between the two names, now one object) and the current state (each part of it
    /// taken from whichever name saw it last; persistent dispositions of both kept).
    /// </summary>
    public async Task MergeAsync(string alias, string target, CancellationToken cancellationToken)
    {
        await db.EventObjects.Where(o => o.Name == alias && db.EventObjects.Any(t => t.EventPk == o.EventPk && t.Role == o.Role && t.Name == target))
            .ExecuteDeleteAsync(cancellationToken);
        await db.EventObjects.Where(o => o.Name == alias).ExecuteUpdateAsync(s => s.SetProperty(o => o.Name, target), cancellationToken);

        await db.EventLinks.Where(l => (l.FromObject == alias && l.ToObject == target) || (l.FromObject == target && l.ToObject == alias))
            .ExecuteDeleteAsync(cancellationToken);
        await db.EventLinks.Where(l => l.FromObject == alias && db.EventLinks.Any(t => t.FromObject == target && t.ToObject == l.ToObject && t.EventPk == l.EventPk))
            .ExecuteDeleteAsync(cancellationToken);
        await db.EventLinks.Where(l => l.FromObject == alias).ExecuteUpdateAsync(s => s.SetProperty(l => l.FromObject, target), cancellationToken);
        await db.EventLinks.Where(l => l.ToObject == alias && db.EventLinks.Any(t => t.ToObject == target && t.FromObject == l.FromObject && t.EventPk == l.EventPk))
            .ExecuteDeleteAsync(cancellationToken);
        await db.EventLinks.Where(l => l.ToObject == alias).ExecuteUpdateAsync(s => s.SetProperty(l => l.ToObject, target), cancellationToken);

        await MergeStateAsync(alias, target, cancellationToken);
    }

    private async Task MergeStateAsync(string alias, string target, CancellationToken cancellationToken)
    {
        var states = await db.ObjectStates.Where(s => s.Name == alias || s.Name == target).ToListAsync(cancellationToken);
        if (states.Find(s => s.Name == alias) is not { } from)
        {
            return;
        }

        if (states.Find(s => s.Name == target) is not { } into)
        {
            await db.ObjectStates.Where(s => s.Name == alias).ExecuteUpdateAsync(s => s.SetProperty(x => x.Name, target), cancellationToken);
            return;
        }

        if ((from.DispositionAt ?? long.MinValue) > (into.DispositionAt ?? long.MinValue))
        {
            (into.Disposition, into.DispositionAt) = (from.Disposition, from.DispositionAt);
        }

        // Persistent dispositions (a recall) set under either name stay set.
        var persistent = $"{into.Persistent} {from.Persistent}".Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        (into.Persistent, into.PersistentAt) = (persistent.Count == 0 ? null : string.Join(' ', persistent), Later(into.PersistentAt, from.PersistentAt));

        if ((from.LocationAt ?? long.MinValue) > (into.LocationAt ?? long.MinValue))
        {
            (into.Location, into.LocationAt) = (from.Location, from.LocationAt);
        }

        if ((from.CustodianAt ?? long.MinValue) > (into.CustodianAt ?? long.MinValue))
        {
            (into.Custodian, into.CustodianAt) = (from.Custodian, from.CustodianAt);
        }

        db.ObjectStates.Remove(from);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static long? Later(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}

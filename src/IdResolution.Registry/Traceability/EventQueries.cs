using IdResolution.Core.Traceability;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry.Traceability;

/// <summary>A filter on objects: events naming one of <see cref="Names"/> in one of <see cref="Roles"/>.</summary>
public sealed record ObjectMatch(IReadOnlyList<string> Names, IReadOnlyList<ObjectRole> Roles);

/// <summary>The EPCIS simple event query's parameters this node supports; lists are alternatives (any of).</summary>
public sealed record EventFilter
{
    public IReadOnlyList<string>? Types { get; init; }

    public long? FromTime { get; init; }

    public long? ToTime { get; init; }

    public IReadOnlyList<string>? BizSteps { get; init; }

    public IReadOnlyList<string>? Dispositions { get; init; }

    public IReadOnlyList<string>? BizLocations { get; init; }

    public IReadOnlyList<ObjectMatch> Matches { get; init; } = [];

    /// <summary>Keyset paging: events after this (eventTime, id), in that order.</summary>
    public (long Time, long Id)? After { get; init; }

    public int PerPage { get; init; } = 100;
}

/// <summary>One edge of a genealogy graph: an object went into another by an event.</summary>
public sealed record TraceEdge(string From, string To, string EventId, string Type, string? BizStep, long EventTime);

/// <summary>The graph reached from an object, with each node's depth; truncated when the node limit cut it.</summary>
public sealed record TraceGraph(IReadOnlyList<(string Name, int Depth)> Nodes, IReadOnlyList<TraceEdge> Edges, bool Truncated);

/// <summary>Reads events back: filtered queries, an object's events and state, and genealogy walked in the database.</summary>
public sealed class EventQueries(RegistryContext db)
{
    public async Task<List<StoredEvent>> FindAsync(EventFilter filter, CancellationToken cancellationToken)
    {
        var events = db.Events.AsNoTracking();
        if (filter.Types is { Count: > 0 } types)
        {
            events = events.Where(e => types.Contains(e.Type));
        }

        if (filter.FromTime is { } from)
        {
            events = events.Where(e => e.EventTime >= from);
        }

        if (filter.ToTime is { } to)
        {
            events = events.Where(e => e.EventTime < to);
        }

        if (filter.BizSteps is { Count: > 0 } steps)
        {
            events = events.Where(e => e.BizStep != null && steps.Contains(e.BizStep));
        }

        if (filter.Dispositions is { Count: > 0 } dispositions)
        {
            events = events.Where(e => e.Disposition != null && dispositions.Contains(e.Disposition));
        }

        if (filter.BizLocations is { Count: > 0 } locations)
        {
            events = events.Where(e => e.BizLocation != null && locations.Contains(e.BizLocation));
        }

        foreach (var match in filter.Matches)
        {
            var names = match.Names;
            var roles = match.Roles.Select(r => (byte)r).ToList();
            events = events.Where(e => db.EventObjects.Any(o => o.EventPk == e.Id && names.Contains(o.Name) && roles.Contains(o.Role)));
        }

        if (filter.After is { } after)
        {
            events = events.Where(e => e.EventTime > after.Time || (e.EventTime == after.Time && e.Id > after.Id));
        }

        return await events.OrderBy(e => e.EventTime).ThenBy(e => e.Id).Take(filter.PerPage).ToListAsync(cancellationToken);
    }

    public Task<StoredEvent?> FindByIdAsync(string eventId, CancellationToken cancellationToken) =>
        db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.EventId == eventId, cancellationToken);

    public Task<ObjectState?> StateAsync(string name, CancellationToken cancellationToken) =>
        db.ObjectStates.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken);

    /// <summary>
    /// Everything reached from <paramref name="start"/> by genealogy links, forward (what it went into) or back (what
    /// went into it), up to <paramref name="maxDepth"/> steps and <paramref name="maxNodes"/> nodes: one recursive
    /// query on the links' indexes, whatever the graph's size.
    /// </summary>
    public async Task<TraceGraph> TraceAsync(string start, bool forward, int maxDepth, int maxNodes, CancellationToken cancellationToken)
    {
        var (near, far) = forward ? ("from_object", "to_object") : ("to_object", "from_object");
        // PostgreSQL wants the start of the recursion in the links' byte-order collation.
        var start0 = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true ? "CAST({0} AS text) COLLATE \"C\"" : "{0}";
        var sql = $$"""
            WITH RECURSIVE reach(name, depth) AS (
                SELECT {{start0}}, 0
                UNION
                SELECT l.{{far}}, r.depth + 1 FROM reach r JOIN epcis_links l ON l.{{near}} = r.name WHERE r.depth < {1}
            )
            SELECT name AS "Name", MIN(depth) AS "Depth" FROM reach GROUP BY name ORDER BY MIN(depth), name LIMIT {2}
            """;
        var reached = await db.Database.SqlQueryRaw<ReachedNode>(sql, start, maxDepth, maxNodes + 1).ToListAsync(cancellationToken);
        var truncated = reached.Count > maxNodes;
        if (truncated)
        {
            reached.RemoveAt(reached.Count - 1);
        }

        var names = reached.ConvertAll(n => n.Name);
        var links = await (from l in db.EventLinks
                           join e in db.Events on l.EventPk equals e.Id
                           where names.Contains(l.FromObject) && names.Contains(l.ToObject)
                           select new TraceEdge(l.FromObject, l.ToObject, e.EventId, e.Type, e.BizStep, e.EventTime)).ToListAsync(cancellationToken);
        return new TraceGraph(reached.ConvertAll(n => (n.Name, n.Depth)), links, truncated);
    }

    public async Task<Dictionary<string, ObjectState>> StatesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        await db.ObjectStates.AsNoTracking().Where(s => names.Contains(s.Name)).ToDictionaryAsync(s => s.Name, StringComparer.Ordinal, cancellationToken);

    private sealed record ReachedNode(string Name, int Depth);
}

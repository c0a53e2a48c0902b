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
            // "id IN (objects by name)": walks the name index, where a correlated EXISTS would scan events on SQLite.
            var pks = db.EventObjects.Where(o => names.Contains(o.Name) && roles.Contains(o.Role)).Select(o => o.EventPk);
            events = events.Where(e => pks.Contains(e.Id));
        }

        if (filter.After is { } after)
        {
            // The first conjunct lets the time index skip the pages already read.
            events = events.Where(e => e.EventTime >= after.Time && (e.EventTime > after.Time || e.Id > after.Id));
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
    /// query walking the links' indexes and carrying the edges it crosses, then one read of those edges' events.
    /// </summary>
    public async Task<TraceGraph> TraceAsync(string start, bool forward, int maxDepth, int maxNodes, CancellationToken cancellationToken)
    {
        var (near, far) = forward ? ("from_object", "to_object") : ("to_object", "from_object");
        // PostgreSQL wants the walk's text columns in the links' byte-order collation.
        var (text, id) = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true
            ? ("CAST({0} AS text) COLLATE \"C\"", "CAST(NULL AS text) COLLATE \"C\"")
            : ("{0}", "CAST(NULL AS TEXT)");
        var sql = $$"""
            WITH RECURSIVE walk(node, depth, from_object, to_object, event_pk) AS (
                SELECT {{text}}, 0, {{id}}, {{id}}, CAST(NULL AS BIGINT)
                UNION
                SELECT l.{{far}}, w.depth + 1, l.from_object, l.to_object, l.event_pk
                FROM walk w JOIN epcis_links l ON l.{{near}} = w.node WHERE w.depth < {1}
            )
            SELECT node, depth, from_object, to_object, event_pk FROM walk LIMIT {2}
            """;
        // A graph with many paths to the same nodes yields more rows than nodes: bounded, and reported as cut.
        var maxRows = (maxNodes * 8) + 1;
        var rows = await db.Database.SqlQueryRaw<WalkRow>(sql, start, maxDepth, maxRows).ToListAsync(cancellationToken);
        var depths = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            depths[row.Node] = depths.TryGetValue(row.Node, out var known) ? Math.Min(known, row.Depth) : row.Depth;
        }

        var nodes = depths.OrderBy(n => n.Value).ThenBy(n => n.Key, StringComparer.Ordinal).Select(n => (n.Key, n.Value)).ToList();
        var truncated = rows.Count == maxRows || nodes.Count > maxNodes;
        if (nodes.Count > maxNodes)
        {
            nodes.RemoveRange(maxNodes, nodes.Count - maxNodes);
        }

        var kept = nodes.Select(n => n.Key).ToHashSet(StringComparer.Ordinal);
        var crossed = new HashSet<(string, string, long)>();
        foreach (var row in rows)
        {
            if (row.EventPk is { } pk && kept.Contains(row.FromObject!) && kept.Contains(row.ToObject!))
            {
                crossed.Add((row.FromObject!, row.ToObject!, pk));
            }
        }

        var pks = crossed.Select(c => c.Item3).Distinct().ToList();
        var events = await db.Events.AsNoTracking().Where(e => pks.Contains(e.Id))
            .Select(e => new { e.Id, e.EventId, e.Type, e.BizStep, e.EventTime }).ToDictionaryAsync(e => e.Id, cancellationToken);
        var edges = crossed.Select(c => events[c.Item3] is var e ? new TraceEdge(c.Item1, c.Item2, e.EventId, e.Type, e.BizStep, e.EventTime) : null!).ToList();
        return new TraceGraph(nodes, edges, truncated);
    }

    public async Task<Dictionary<string, ObjectState>> StatesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
        await db.ObjectStates.AsNoTracking().Where(s => names.Contains(s.Name)).ToDictionaryAsync(s => s.Name, StringComparer.Ordinal, cancellationToken);

    private sealed record WalkRow(string Node, int Depth, string? FromObject, string? ToObject, long? EventPk);
}

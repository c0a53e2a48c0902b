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
public sealed record TraceGraph(IReadOnlyList<(string Name, int Depth)> Nodes, IReadOnlyList<TraceEdge> Edges, IReadOnlyDictionary<string, ObjectState> States, bool Truncated);

/// <summary>Reads events back: filtered queries, an object's events and state, and genealogy walked in the database.</summary>
public sealed class EventQueries(RegistryContext db, ObjectAliases aliases)
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
            var names = await aliases.CanonicalAsync(match.Names, cancellationToken);
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
        db.EventsByEventId(k => k.EventId == eventId).AsNoTracking().FirstOrDefaultAsync(cancellationToken);

    public async Task<ObjectState?> StateAsync(string name, CancellationToken cancellationToken)
    {
        var canonical = await aliases.CanonicalAsync(name, cancellationToken);
        return await db.ObjectStates.AsNoTracking().FirstOrDefaultAsync(s => s.Name == canonical, cancellationToken);
    }

    /// <summary>
    /// Everything reached from <paramref name="start"/> by genealogy links, forward (what it went into) or back (what
    /// went into it), up to <paramref name="maxDepth"/> steps and <paramref name="maxNodes"/> nodes: one recursive
    /// query walking the links' indexes and carrying the edges it crosses, then one read of those edges' events.
    /// </summary>
    public async Task<TraceGraph> TraceAsync(string start, bool forward, int maxDepth, int maxNodes, CancellationToken cancellationToken)
    {
        start = await aliases.CanonicalAsync(start, cancellationToken);
        var postgres = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;
        // PostgreSQL wants the walk's text columns in the links' byte-order collation.
        var (text, id, greatest, least) = postgres
            ? ("CAST({0} AS text) COLLATE \"C\"", "CAST(NULL AS text) COLLATE \"C\"", "GREATEST", "LEAST")
            : ("{0}", "CAST(NULL AS TEXT)", "MAX", "MIN");
        // Forward, each reached object carries the time window in which it holds what is traced: an output from its
        // making on, a container from the child's packing until its unpacking. A link is followed only if it overlaps
        // that window, so a reusable container's later loads are not reached. Back, the whole history is followed.
        var step = forward
            ? $"""
                SELECT l.to_object, w.depth + 1, {greatest}(w.since, l.valid_from),
                       CASE WHEN l.containment THEN {least}(w.until, l.valid_to) ELSE {long.MaxValue} END,
                       l.from_object, l.to_object, l.event_pk
                FROM walk w JOIN epcis_links l ON l.from_object = w.node AND l.valid_to > w.since AND l.valid_from < w.until
                """
            : """
                SELECT l.from_object, w.depth + 1, w.since, w.until, l.from_object, l.to_object, l.event_pk
                FROM walk w JOIN epcis_links l ON l.to_object = w.node
                """;
        // One round trip: the walk (bounded), each crossed edge's event and each reached node's state.
        var sql = $$"""
            WITH RECURSIVE walk(node, depth, since, until, from_object, to_object, event_pk) AS (
                SELECT {{text}}, 0, CAST({{long.MinValue + 1}} AS BIGINT), CAST({{long.MaxValue}} AS BIGINT), {{id}}, {{id}}, CAST(NULL AS BIGINT)
                UNION
                {{step}} WHERE w.depth < {1}
            ),
            bounded AS (SELECT * FROM walk LIMIT {2})
            SELECT b.node, b.depth, b.from_object, b.to_object, e.event_id, e.type AS event_type, e.biz_step, e.event_time,
                   s.disposition, s.disposition_at, s.persistent, s.location, s.location_at, s.custodian, s.custodian_at
            FROM bounded b
            LEFT JOIN epcis_events e ON e.id = b.event_pk
            LEFT JOIN epcis_object_states s ON s.name = b.node
            """;
        // A graph with many paths to the same nodes yields more rows than nodes: bounded, and reported as cut.
        var maxRows = (maxNodes * 8) + 1;
        var rows = await db.Database.SqlQueryRaw<WalkRow>(sql, start, maxDepth, maxRows).ToListAsync(cancellationToken);
        var depths = new Dictionary<string, int>(StringComparer.Ordinal);
        var states = new Dictionary<string, ObjectState>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            depths[row.Node] = depths.TryGetValue(row.Node, out var known) ? Math.Min(known, row.Depth) : row.Depth;
            if (row.DispositionAt is not null || row.LocationAt is not null || row.CustodianAt is not null || row.Persistent is not null)
            {
                states.TryAdd(row.Node, new ObjectState
                {
                    Name = row.Node,
                    Disposition = row.Disposition,
                    DispositionAt = row.DispositionAt,
                    Persistent = row.Persistent,
                    Location = row.Location,
                    LocationAt = row.LocationAt,
                    Custodian = row.Custodian,
                    CustodianAt = row.CustodianAt,
                });
            }
        }

        var nodes = depths.OrderBy(n => n.Value).ThenBy(n => n.Key, StringComparer.Ordinal).Select(n => (n.Key, n.Value)).ToList();
        var truncated = rows.Count == maxRows || nodes.Count > maxNodes;
        if (nodes.Count > maxNodes)
        {
            nodes.RemoveRange(maxNodes, nodes.Count - maxNodes);
        }

        var kept = nodes.Select(n => n.Key).ToHashSet(StringComparer.Ordinal);
        var edges = new Dictionary<(string, string, string), TraceEdge>();
        foreach (var row in rows)
        {
            if (row.EventId is not null && kept.Contains(row.FromObject!) && kept.Contains(row.ToObject!))
            {
                edges.TryAdd((row.FromObject!, row.ToObject!, row.EventId), new TraceEdge(row.FromObject!, row.ToObject!, row.EventId, row.EventType!, row.BizStep, row.EventTime ?? 0));
            }
        }

        return new TraceGraph(nodes, [.. edges.Values], states, truncated);
    }

    private sealed record WalkRow(
        string Node, int Depth, string? FromObject, string? ToObject, string? EventId, string? EventType, string? BizStep, long? EventTime,
        string? Disposition, long? DispositionAt, string? Persistent, string? Location, long? LocationAt, string? Custodian, long? CustodianAt);
}

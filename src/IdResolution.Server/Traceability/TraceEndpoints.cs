using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Traceability;
using IdResolution.Registry.Model;
using IdResolution.Registry.Traceability;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Traceability;

/// <summary>
/// Genealogy and lifecycle over captured events: trace back and forward (a graph computed in the database), an
/// object's current state, and recalls that record their events and answer with everything they reach.
/// </summary>
public static class TraceEndpoints
{
    public const int DefaultDepth = 10;
    public const int MaxDepth = 50;
    public const int DefaultMaxNodes = 1000;
    public const int MaxNodes = 100_000;

    public static IEndpointRouteBuilder MapTraceApi(this IEndpointRouteBuilder app)
    {
        var trace = app.MapGroup("/epcis");
        trace.WithTags("Traceability").WithRequestTimeout(Limits.NodeRateLimits.WritePolicy);
        trace.MapGet("/trace/back", (HttpContext c, EventQueries q, string? epc, int? depth, int? maxNodes, CancellationToken t) => TraceAsync(q, epc, depth, maxNodes, forward: false, t))
            .WithSummary("What went into the object, recursively (transformation inputs, aggregated children): a graph of nodes with their state and edges with their events. depth <= 50, maxNodes <= 100000.");
        trace.MapGet("/trace/forward", (HttpContext c, EventQueries q, string? epc, int? depth, int? maxNodes, CancellationToken t) => TraceAsync(q, epc, depth, maxNodes, forward: true, t))
            .WithSummary("Everything the object went into, recursively (transformation outputs, parents it was packed into).");
        trace.MapGet("/state/{**id}", StateAsync).WithSummary("The object's current disposition, location and custodian, from its latest events.");
        trace.MapPost("/recall", RecallAsync).RequireAuthorization(NodePolicies.Read).WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Recalls an object {epc, reason, depth}: records recall events (disposition recalled) for it and everything trace forward reaches, and answers with that impact.");
        return app;
    }

    private static async Task<IResult> TraceAsync(EventQueries queries, string? epc, int? depth, int? maxNodes, bool forward, CancellationToken cancellationToken)
    {
        var (start, steps, limit) = Arguments(epc, depth, maxNodes);
        var graph = await queries.TraceAsync(start, forward, steps, limit, cancellationToken);
        return Results.Ok(GraphAnswer(start, forward, graph));
    }

    private static async Task<IResult> StateAsync(HttpContext context, string id, EventQueries queries, CancellationToken cancellationToken)
    {
        var name = EpcisQuery.Name(PathIds.Read(context, "/epcis/state/"), "id");
        var state = await queries.StateAsync(name, cancellationToken)
            ?? throw new HandleException(ResponseCode.HandleNotFound, $"no event names {name}");
        return Results.Ok(StateAnswer(name, state));
    }

    private static async Task<IResult> RecallAsync(HttpContext context, EventQueries queries, EventCapture capture, PrefixAccess access, ObjectAliases aliases, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User)!;
        if (!Registry.AccessRoles.Writes(caller.Role))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, $"a {caller.Role} key cannot recall");
        }

        using var body = await Http.RequestBody.ReadJsonAsync(context.Request, cancellationToken);
        var root = body.RootElement;
        var epc = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("epc", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var depth = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("depth", out var d)
            ? d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var n) ? n : throw new HandleException(ResponseCode.InvalidValue, "depth must be an integer")
            : (int?)null;
        var reason = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var (named, steps, _) = Arguments(epc, depth, MaxNodes);
        // An alias recalls the record it stands for: that record's owner decides.
        var start = await aliases.CanonicalAsync(named, cancellationToken);
        await EnsureMayRecallAsync(caller, context, start, access, cancellationToken);
        var graph = await queries.TraceAsync(start, forward: true, steps, MaxNodes, cancellationToken);
        if (graph.Truncated)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"the recall reaches more than {MaxNodes} objects; recall narrower batches");
        }

        var events = RecallEvents(graph.Nodes.Select(n => n.Name).ToList(), reason);
        var result = await capture.CaptureAsync(events, cancellationToken);
        var answer = GraphAnswer(start, forward: true, graph);
        return Results.Ok(new { recalled = start, captureID = result.CaptureId, recallEvents = events.ConvertAll(x => x.EventId), impact = answer });
    }

    /// <summary>A recall is made by operators, or by the enterprise owning the recalled handle's prefix.</summary>
    private static async Task EnsureMayRecallAsync(Caller caller, HttpContext context, string start, PrefixAccess access, CancellationToken cancellationToken)
    {
        if (caller.IsOperator)
        {
            return;
        }

        if (!Core.Handles.HandleName.TryParse(start, out var handle, out _) || start.Contains("://", StringComparison.Ordinal))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, "only operators recall objects named by URIs");
        }

        await access.EnsureCanListAsync(context.User, handle, cancellationToken);
    }

    /// <summary>ObjectEvents (OBSERVE, disposition recalled) naming every reached object, at most 10,000 per event.</summary>
    private static List<EpcisEvent> RecallEvents(List<string> names, string? reason)
    {
        var now = DateTimeOffset.UtcNow;
        var events = new List<EpcisEvent>();
        for (var at = 0; at < names.Count; at += EpcisEventReader.MaxObjectsPerEvent)
        {
            var part = names.GetRange(at, Math.Min(EpcisEventReader.MaxObjectsPerEvent, names.Count - at));
            var json = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["type"] = "ObjectEvent",
                ["eventTime"] = now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                ["eventTimeZoneOffset"] = "+00:00",
                ["eventID"] = "urn:uuid:" + Guid.NewGuid(),
                ["action"] = "OBSERVE",
                ["epcList"] = part,
                ["disposition"] = "recalled",
                // Recalled until someone says otherwise: a later routine event (receiving, selling) does not clear it.
                ["persistentDisposition"] = new Dictionary<string, object> { ["set"] = new[] { "recalled" } },
                ["idres:recallReason"] = reason,
            });
            using var document = JsonDocument.Parse(json);
            events.Add(EpcisEventReader.ReadEvent(document.RootElement));
        }

        return events;
    }

    public static (string Start, int Depth, int MaxNodes) Arguments(string? epc, int? depth, int? maxNodes)
    {
        if (string.IsNullOrEmpty(epc))
        {
            throw new HandleException(ResponseCode.ProtocolError, "epc= names the object to trace");
        }

        var steps = depth ?? DefaultDepth;
        var limit = maxNodes ?? DefaultMaxNodes;
        if (steps is < 1 or > MaxDepth || limit is < 1 or > MaxNodes)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"depth is 1 to {MaxDepth}, maxNodes 1 to {MaxNodes}");
        }

        return (EpcisQuery.Name(epc, "epc"), steps, limit);
    }

    private static object GraphAnswer(string start, bool forward, TraceGraph graph)
    {
        var states = graph.States;
        return new
        {
            start,
            direction = forward ? "forward" : "back",
            truncated = graph.Truncated,
            nodes = graph.Nodes.Select(n => new
            {
                id = n.Name,
                depth = n.Depth,
                disposition = states.GetValueOrDefault(n.Name)?.Disposition,
                persistentDisposition = (states.GetValueOrDefault(n.Name)?.Persistent ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                location = states.GetValueOrDefault(n.Name)?.Location,
                custodian = states.GetValueOrDefault(n.Name)?.Custodian,
            }),
            edges = graph.Edges.Select(e => new { from = e.From, to = e.To, eventID = e.EventId, type = e.Type, bizStep = e.BizStep, eventTime = DateTimeOffset.FromUnixTimeMilliseconds(e.EventTime) }),
        };
    }

    public static object StateAnswer(string name, ObjectState state) => new
    {
        id = name,
        disposition = state.Disposition,
        dispositionTime = Time(state.DispositionAt),
        persistentDisposition = (state.Persistent ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        location = state.Location,
        locationTime = Time(state.LocationAt),
        custodian = state.Custodian,
        custodianTime = Time(state.CustodianAt),
    };

    private static DateTimeOffset? Time(long? ms) => ms is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;
}

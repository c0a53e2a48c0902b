using System.Text.Json;
using Grpc.Core;
using IdResolution.Core;
using IdResolution.Core.Traceability;
using IdResolution.Registry.Model;
using IdResolution.Registry.Traceability;
using IdResolution.Server.Auth;
using IdResolution.Server.Traceability;
using Microsoft.Extensions.Primitives;
using V1 = IdResolution.Contracts.V1;

namespace IdResolution.Server.Grpc;

/// <summary>idresolution.v1.Trace: capture, queries, genealogy and lifecycle with the same rules as /epcis.</summary>
public sealed class TraceService(EventCapture capture, EventQueries queries, PrefixAccess access, ObjectAliases aliases) : V1.Trace.TraceBase
{
    public override async Task<V1.CaptureResponse> Capture(V1.CaptureRequest request, ServerCallContext context)
    {
        if (request.EventsJson.Count > EpcisEventReader.MaxEventsPerDocument)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"at most {EpcisEventReader.MaxEventsPerDocument} events per capture");
        }

        var events = new List<EpcisEvent>(request.EventsJson.Count);
        for (var i = 0; i < request.EventsJson.Count; i++)
        {
            events.Add(ReadEvent(request.EventsJson[i], $"events_json[{i}]"));
        }

        await CaptureAccess.EnsureAsync(context.GetHttpContext().User, events, access, aliases, context.CancellationToken);
        var result = await capture.CaptureAsync(events, context.CancellationToken);
        return new V1.CaptureResponse { CaptureId = (ulong)result.CaptureId, Stored = (uint)result.Stored, Duplicates = (uint)result.Duplicates, Corrected = (uint)result.Corrected };
    }

    public override async Task<V1.QueryEventsResponse> QueryEvents(V1.QueryEventsRequest request, ServerCallContext context)
    {
        var filter = EpcisQuery.Read(new QueryCollection(Parameters(request)));
        var events = await queries.FindAsync(filter, context.CancellationToken);
        var response = new V1.QueryEventsResponse();
        foreach (var e in events)
        {
            response.EventsJson.Add(e.Json);
        }

        if (events.Count == filter.PerPage)
        {
            response.NextPageToken = EpcisQuery.NextToken(events[^1].EventTime, events[^1].Id);
        }

        return response;
    }

    public override Task<V1.TraceGraph> TraceBack(V1.TraceRequest request, ServerCallContext context) => TraceAsync(request, forward: false, context);

    public override Task<V1.TraceGraph> TraceForward(V1.TraceRequest request, ServerCallContext context) => TraceAsync(request, forward: true, context);

    public override async Task<V1.ObjectLifecycle> GetLifecycle(V1.LifecycleRequest request, ServerCallContext context)
    {
        var name = EpcisQuery.Name(request.Epc, "epc");
        var state = await queries.StateAsync(name, context.CancellationToken)
            ?? throw new HandleException(ResponseCode.HandleNotFound, $"no event names {name}");
        return Lifecycle(name, state);
    }

    private async Task<V1.TraceGraph> TraceAsync(V1.TraceRequest request, bool forward, ServerCallContext context)
    {
        var (start, depth, maxNodes) = TraceEndpoints.Arguments(
            request.Epc, request.Depth == 0 ? null : (int)Math.Min(request.Depth, int.MaxValue), request.MaxNodes == 0 ? null : (int)Math.Min(request.MaxNodes, int.MaxValue));
        var graph = await queries.TraceAsync(start, forward, depth, maxNodes, context.CancellationToken);
        var states = graph.States;
        var answer = new V1.TraceGraph { Truncated = graph.Truncated };
        foreach (var (name, nodeDepth) in graph.Nodes)
        {
            answer.Nodes.Add(new V1.TraceNode { Id = name, Depth = (uint)nodeDepth, State = states.TryGetValue(name, out var s) ? Lifecycle(name, s) : null });
        }

        foreach (var e in graph.Edges)
        {
            answer.Edges.Add(new V1.TraceEdge { From = e.From, To = e.To, EventId = e.EventId, EventType = e.Type, BizStep = e.BizStep ?? "", EventTimeUnixMs = e.EventTime });
        }

        return answer;
    }

    private static EpcisEvent ReadEvent(string json, string where)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
            return EpcisEventReader.ReadEvent(document.RootElement, where);
        }
        catch (JsonException e)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"{where}: not valid JSON: {e.Message}");
        }
    }

    private static Dictionary<string, StringValues> Parameters(V1.QueryEventsRequest request)
    {
        var parameters = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        void Add(string name, IEnumerable<string> values)
        {
            var list = values.Where(v => v.Length > 0).ToArray();
            if (list.Length > 0)
            {
                parameters[name] = string.Join('|', list);
            }
        }

        Add("eventType", request.EventType);
        Add("GE_eventTime", [request.GeEventTime]);
        Add("LT_eventTime", [request.LtEventTime]);
        Add("EQ_bizStep", request.BizStep);
        Add("EQ_disposition", request.Disposition);
        Add("EQ_bizLocation", request.BizLocation);
        Add("MATCH_epc", request.MatchEpc);
        Add("MATCH_parentID", request.MatchParentId);
        Add("MATCH_inputEPC", request.MatchInputEpc);
        Add("MATCH_outputEPC", request.MatchOutputEpc);
        Add("MATCH_anyEPC", request.MatchAnyEpc);
        Add("nextPageToken", [request.PageToken]);
        if (request.PerPage != 0)
        {
            parameters["perPage"] = request.PerPage.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return parameters;
    }

    private static V1.ObjectLifecycle Lifecycle(string name, ObjectState state) => new()
    {
        PersistentDisposition = { (state.Persistent ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries) },
        Id = name,
        Disposition = state.Disposition ?? "",
        Location = state.Location ?? "",
        Custodian = state.Custodian ?? "",
        DispositionTimeUnixMs = state.DispositionAt ?? 0,
        LocationTimeUnixMs = state.LocationAt ?? 0,
        CustodianTimeUnixMs = state.CustodianAt ?? 0,
    };
}

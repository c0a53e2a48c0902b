using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Traceability;
using IdResolution.Registry.Model;
using IdResolution.Registry.Traceability;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;

namespace IdResolution.Server.Traceability;

/// <summary>
/// The EPCIS 2.0 REST binding under <c>/epcis</c>: capture (a document, or one event), queries with the standard
/// parameters and keyset paging, an object's events. Errors are problem+json naming the event and field.
/// </summary>
public static class EpcisEndpoints
{
    public static IEndpointRouteBuilder MapEpcisApi(this IEndpointRouteBuilder app)
    {
        var epcis = app.MapGroup("/epcis").WithTags("Traceability");
        epcis.MapPost("/capture", CaptureDocumentAsync).RequireAuthorization(NodePolicies.Read).WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Captures an EPCISDocument (epcisBody.eventList), all or nothing; events already stored (same eventID) are counted, not stored again. 201 with the capture.");
        epcis.MapGet("/capture/{id:long}", GetCaptureAsync).WithSummary("What a capture stored.");
        epcis.MapPost("/events", CaptureEventAsync).RequireAuthorization(NodePolicies.Read).WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Captures one event. 201 with its eventID (200 when it was already stored).");
        epcis.MapGet("/events", QueryAsync)
            .WithSummary("Events matching eventType, GE_eventTime, LT_eventTime, EQ_bizStep, EQ_disposition, EQ_bizLocation, MATCH_epc, MATCH_anyEPC, MATCH_parentID, "
                + "MATCH_inputEPC, MATCH_outputEPC, MATCH_epcClass, MATCH_inputEPCClass, MATCH_outputEPCClass, MATCH_anyEPCClass (lists pipe-separated), "
                + "in event-time order; perPage (<= 1000) and the nextPageToken of the Link header page on.");
        epcis.MapGet("/events/{**eventId}", GetEventAsync).WithSummary("One event by its eventID (URL-encoded).");
        epcis.MapGet("/epcs/{**id}", ObjectEventsAsync).WithSummary("Every event naming the object or class, in any role (instances and quantity lists), with the same paging.");
        return app;
    }

    private static async Task<IResult> CaptureDocumentAsync(HttpContext context, EventCapture capture, PrefixAccess access, ObjectAliases aliases, CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadJsonAsync(context.Request, cancellationToken);
        var events = EpcisEventReader.ReadDocument(body.RootElement);
        await CaptureAccess.EnsureAsync(context.User, events, access, aliases, cancellationToken);
        var result = await capture.CaptureAsync(events, cancellationToken);
        return Results.Created($"/epcis/capture/{result.CaptureId}", Answer(result));
    }

    private static async Task<IResult> CaptureEventAsync(HttpContext context, EventCapture capture, PrefixAccess access, ObjectAliases aliases, CancellationToken cancellationToken)
    {
        using var body = await RequestBody.ReadJsonAsync(context.Request, cancellationToken);
        var e = EpcisEventReader.ReadEvent(body.RootElement);
        await CaptureAccess.EnsureAsync(context.User, [e], access, aliases, cancellationToken);
        var result = await capture.CaptureAsync([e], cancellationToken);
        var location = $"/epcis/events/{Uri.EscapeDataString(e.EventId)}";
        var answer = new { eventID = e.EventId, captureID = result.CaptureId, stored = result.Stored == 1, corrected = result.Corrected == 1 };
        return result.Stored == 1 ? Results.Created(location, answer) : Results.Ok(answer);
    }

    private static async Task<IResult> GetCaptureAsync(long id, EventCapture capture, CancellationToken cancellationToken)
    {
        var found = await capture.FindCaptureAsync(id, cancellationToken)
            ?? throw new HandleException(ResponseCode.HandleNotFound, $"no capture {id}");
        return Results.Ok(new { captureID = found.Id, running = false, success = true, at = DateTimeOffset.FromUnixTimeMilliseconds(found.At), events = found.Events, duplicates = found.Duplicates });
    }

    private static async Task GetEventAsync(HttpContext context, string eventId, EventQueries queries, CancellationToken cancellationToken)
    {
        var e = await queries.FindByIdAsync(PathIds.Read(context, "/epcis/events/"), cancellationToken)
            ?? throw new HandleException(ResponseCode.HandleNotFound, $"no event {eventId}");
        context.Response.ContentType = "application/ld+json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        WriteEvent(writer, e);
        await writer.FlushAsync(cancellationToken);
    }

    private static Task QueryAsync(HttpContext context, EventQueries queries, CancellationToken cancellationToken) =>
        WriteEventsAsync(context, queries, EpcisQuery.Read(context.Request.Query), cancellationToken);

    private static Task ObjectEventsAsync(HttpContext context, string id, EventQueries queries, CancellationToken cancellationToken)
    {
        var all = Enum.GetValues<ObjectRole>();
        var filter = EpcisQuery.Read(context.Request.Query, new ObjectMatch([EpcisQuery.Name(PathIds.Read(context, "/epcis/epcs/"), "epc")], all));
        return WriteEventsAsync(context, queries, filter, cancellationToken);
    }

    /// <summary>An EPCISQueryDocument with the events as captured, and a Link to the next page when there may be one.</summary>
    private static async Task WriteEventsAsync(HttpContext context, EventQueries queries, EventFilter filter, CancellationToken cancellationToken)
    {
        var events = await queries.FindAsync(filter, cancellationToken);
        if (events.Count == filter.PerPage)
        {
            var last = events[^1];
            var next = QueryString.Create(context.Request.Query.Where(q => q.Key != "nextPageToken")
                .Append(new("nextPageToken", EpcisQuery.NextToken(last.EventTime, last.Id))));
            context.Response.Headers.Link = $"<{context.Request.PathBase}{context.Request.Path}{next}>; rel=\"next\"";
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/ld+json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("@context", "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld");
        writer.WriteString("type", "EPCISQueryDocument");
        writer.WriteString("schemaVersion", "2.0");
        writer.WriteString("creationDate", DateTimeOffset.UtcNow);
        writer.WriteStartObject("epcisBody");
        writer.WriteStartObject("queryResults");
        writer.WriteString("queryName", "SimpleEventQuery");
        writer.WriteStartObject("resultsBody");
        writer.WriteStartArray("eventList");
        foreach (var e in events)
        {
            WriteEvent(writer, e);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>The event as captured, with the recordTime this node gave it.</summary>
    private static void WriteEvent(Utf8JsonWriter writer, StoredEvent e)
    {
        using var document = JsonDocument.Parse(e.Json);
        writer.WriteStartObject();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            property.WriteTo(writer);
        }

        writer.WriteString("recordTime", DateTimeOffset.FromUnixTimeMilliseconds(e.RecordTime));
        writer.WriteEndObject();
    }

    private static object Answer(CaptureResult result) =>
        new { captureID = result.CaptureId, running = false, success = true, stored = result.Stored, duplicates = result.Duplicates, corrected = result.Corrected };
}

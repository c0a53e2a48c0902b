using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IdResolution.Core.Traceability;

/// <summary>
/// Reads and validates EPCIS 2.0 JSON events and capture documents. Every refusal names the event and the field
/// (<c>eventList[3].eventTime: ...</c>) as a Handle error 202 (invalid value), so one bad event refuses a whole document.
/// </summary>
public static class EpcisEventReader
{
    public const int MaxEventsPerDocument = 10_000;
    public const int MaxObjectsPerEvent = 10_000;
    /// <summary>Inputs x outputs of one transformation, and all of a document's: what its genealogy links may cost.</summary>
    public const long MaxLinksPerEvent = 100_000;
    public const long MaxLinksPerDocument = 200_000;

    /// <summary>The events of an EPCISDocument (<c>epcisBody.eventList</c>).</summary>
    public static List<EpcisEvent> ReadDocument(JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object
            || !document.TryGetProperty("epcisBody", out var body) || body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("eventList", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("document", "an EPCISDocument needs epcisBody.eventList (an array of events)");
        }

        if (list.GetArrayLength() > MaxEventsPerDocument)
        {
            throw Invalid("epcisBody.eventList", $"at most {MaxEventsPerDocument} events per document");
        }

        var events = new List<EpcisEvent>(list.GetArrayLength());
        var position = 0;
        long links = 0;
        foreach (var item in list.EnumerateArray())
        {
            var e = ReadEvent(item, $"eventList[{position++}]");
            links += Genealogy.LinkCount(e);
            if (links > MaxLinksPerDocument)
            {
                throw Invalid($"eventList[{position - 1}]", $"the document links more than {MaxLinksPerDocument} input/output or child/parent pairs; split it");
            }

            events.Add(e);
        }

        return events;
    }

    /// <summary>One event; <paramref name="where"/> names it in errors.</summary>
    public static EpcisEvent ReadEvent(JsonElement json, string where = "event")
    {
        try
        {
            return Read(json, where);
        }
        catch (InvalidOperationException e)
        {
            // A JSON string escaping half a surrogate pair is no text.
            throw Invalid(where, "a string is not valid Unicode: " + e.Message);
        }
        catch (ArgumentException e)
        {
            // A member given twice (JSON allows it; an event cannot say two things at once).
            throw Invalid(where, "a member appears twice: " + e.Message);
        }
    }

    private static EpcisEvent Read(JsonElement json, string where)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(where, "an event is a JSON object");
        }

        var typeText = Text(json, "type", where, required: true)!;
        if (!Enum.TryParse<EventType>(typeText, ignoreCase: false, out var type) || !Enum.IsDefined(type))
        {
            throw Invalid(where + ".type", $"'{typeText}' is not one of ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent, AssociationEvent");
        }

        var eventTime = Time(json, "eventTime", where);
        var offset = Text(json, "eventTimeZoneOffset", where, required: true)!;
        if (!Rfc3339.IsOffset(offset))
        {
            throw Invalid(where + ".eventTimeZoneOffset", $"'{offset}' is not an offset such as +08:00");
        }

        string? action = null;
        if (type != EventType.TransformationEvent)
        {
            action = Text(json, "action", where, required: true);
            if (action is not ("ADD" or "OBSERVE" or "DELETE"))
            {
                throw Invalid(where + ".action", $"'{action}' is not ADD, OBSERVE or DELETE");
            }
        }

        var objects = new List<EventObject>();
        AddNames(json, "epcList", ObjectRole.Subject, where, objects);
        AddClasses(json, "quantityList", ObjectRole.QuantitySubject, where, objects);
        if (Text(json, "parentID", where, required: false) is { } parent)
        {
            objects.Add(new EventObject(Name(parent, where + ".parentID"), ObjectRole.Parent));
        }

        AddNames(json, "childEPCs", ObjectRole.Child, where, objects);
        AddClasses(json, "childQuantityList", ObjectRole.QuantityChild, where, objects);
        AddNames(json, "inputEPCList", ObjectRole.Input, where, objects);
        AddClasses(json, "inputQuantityList", ObjectRole.QuantityInput, where, objects);
        AddNames(json, "outputEPCList", ObjectRole.Output, where, objects);
        AddClasses(json, "outputQuantityList", ObjectRole.QuantityOutput, where, objects);
        RequireObjects(type, action, objects, where);

        var bizStep = Vocabulary(json, "bizStep", where, Cbv.BizStep);
        var disposition = Vocabulary(json, "disposition", where, Cbv.Disposition);
        var declaresError = json.TryGetProperty("errorDeclaration", out var declaration);
        if (declaresError && (declaration.ValueKind != JsonValueKind.Object || !declaration.TryGetProperty("declarationTime", out _)))
        {
            throw Invalid(where + ".errorDeclaration", "needs declarationTime");
        }

        var transformationId = Text(json, "transformationID", where, required: false);
        if (transformationId is not null && (type != EventType.TransformationEvent || transformationId.Length > ObjectNames.MaxLength || !Uri.TryCreate(transformationId, UriKind.Absolute, out _)))
        {
            throw Invalid(where + ".transformationID", "a transformationID is an absolute URI, on TransformationEvents only");
        }

        var (persistentSet, persistentUnset) = Persistent(json, where);
        var eventId = Text(json, "eventID", where, required: false);
        if (eventId is not null && (eventId.Length > ObjectNames.MaxLength || !Uri.TryCreate(eventId, UriKind.Absolute, out _)))
        {
            throw Invalid(where + ".eventID", "an eventID is an absolute URI of at most 2048 characters");
        }

        eventId ??= HashId(json);
        var e = new EpcisEvent
        {
            EventId = eventId,
            Type = type,
            Action = action,
            EventTime = eventTime,
            EventTimeZoneOffset = offset,
            BizStep = bizStep,
            Disposition = disposition,
            ReadPoint = Place(json, "readPoint", where),
            TransformationId = transformationId,
            PersistentSet = persistentSet,
            PersistentUnset = persistentUnset,
            BizLocation = Place(json, "bizLocation", where),
            Objects = objects,
            Sources = Parties(json, "sourceList", "source", where),
            Destinations = Parties(json, "destinationList", "destination", where),
            DeclaresError = declaresError,
            Json = WithEventId(json, eventId),
        };

        // Each input is linked to each output for genealogy: bound the product.
        return Genealogy.LinkCount(e) <= MaxLinksPerEvent ? e : throw Invalid(where, $"inputs x outputs is above {MaxLinksPerEvent}; split the transformation");
    }

    private static void RequireObjects(EventType type, string? action, List<EventObject> objects, string where)
    {
        bool Has(ObjectRole role) => objects.Exists(o => o.Role.Part() == role);
        var missing = type switch
        {
            EventType.ObjectEvent or EventType.TransactionEvent when !Has(ObjectRole.Subject) && !Has(ObjectRole.Parent) => "epcList or quantityList",
            EventType.AggregationEvent or EventType.AssociationEvent when action != "OBSERVE" && !Has(ObjectRole.Parent) => "parentID",
            EventType.AggregationEvent or EventType.AssociationEvent when action == "ADD" && !Has(ObjectRole.Child) => "childEPCs or childQuantityList",
            EventType.TransformationEvent when !Has(ObjectRole.Input) && !Has(ObjectRole.Output) => "inputEPCList or outputEPCList",
            _ => null,
        };
        if (missing is not null)
        {
            throw Invalid(where, $"a {type}{(action is null ? "" : " " + action)} needs {missing}");
        }


    }

    private static void AddNames(JsonElement json, string field, ObjectRole role, string where, List<EventObject> objects)
    {
        if (!json.TryGetProperty(field, out var list))
        {
            return;
        }

        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > MaxObjectsPerEvent)
        {
            throw Invalid($"{where}.{field}", $"must be an array of at most {MaxObjectsPerEvent} identifiers");
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{where}.{field}[{i++}]";
            objects.Add(new EventObject(Name(item.ValueKind == JsonValueKind.String ? item.GetString() : null, at), role));
        }
    }

    private static void AddClasses(JsonElement json, string field, ObjectRole role, string where, List<EventObject> objects)
    {
        if (!json.TryGetProperty(field, out var list))
        {
            return;
        }

        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > MaxObjectsPerEvent)
        {
            throw Invalid($"{where}.{field}", $"must be an array of at most {MaxObjectsPerEvent} quantity elements");
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{where}.{field}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("epcClass", out var epcClass) || epcClass.ValueKind != JsonValueKind.String)
            {
                throw Invalid(at, "a quantity element needs epcClass");
            }

            if (item.TryGetProperty("quantity", out var quantity) && (quantity.ValueKind != JsonValueKind.Number || !quantity.TryGetDouble(out var q) || q < 0))
            {
                throw Invalid(at + ".quantity", "must be a non-negative number");
            }

            objects.Add(new EventObject(Name(epcClass.GetString(), at + ".epcClass"), role));
        }
    }

    private static string Name(string? text, string where) =>
        ObjectNames.TryNormalise(text, out var name, out var error) ? name : throw Invalid(where, error!);

    /// <summary>The JSON of a stored event with an error declaration added (the event itself is left as captured).</summary>
    public static string WithErrorDeclaration(string storedJson, string declaringJson)
    {
        var stored = JsonNode.Parse(storedJson)!.AsObject();
        stored["errorDeclaration"] = JsonNode.Parse(declaringJson)!.AsObject()["errorDeclaration"]?.DeepClone();
        return stored.ToJsonString();
    }

    private static long Time(JsonElement json, string field, string where)
    {
        var text = Text(json, field, where, required: true)!;
        if (!Rfc3339.TryParse(text, out var time))
        {
            throw Invalid($"{where}.{field}", $"'{text}' is not an RFC 3339 time with its offset (2026-03-17T08:30:00.000+08:00)");
        }

        return time.ToUnixTimeMilliseconds();
    }

    private static string? Vocabulary(JsonElement json, string field, string where, VocabularyTerm term)
    {
        var text = Text(json, field, where, required: false);
        if (text is null)
        {
            return null;
        }

        return term(text, out var error) ?? throw Invalid($"{where}.{field}", error!);
    }

    private delegate string? VocabularyTerm(string text, out string? error);

    private static (List<string> Set, List<string> Unset) Persistent(JsonElement json, string where)
    {
        var (set, unset) = (new List<string>(), new List<string>());
        if (!json.TryGetProperty("persistentDisposition", out var persistent))
        {
            return (set, unset);
        }

        if (persistent.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(where + ".persistentDisposition", "must be an object with set and/or unset");
        }

        foreach (var (member, list) in new[] { ("set", set), ("unset", unset) })
        {
            if (!persistent.TryGetProperty(member, out var items))
            {
                continue;
            }

            if (items.ValueKind != JsonValueKind.Array)
            {
                throw Invalid($"{where}.persistentDisposition.{member}", "must be an array of dispositions");
            }

            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                var at = $"{where}.persistentDisposition.{member}[{i++}]";
                var text = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Invalid(at, "must be a disposition");
                list.Add(Cbv.Disposition(text, out var error) ?? throw Invalid(at, error!));
            }
        }

        return (set, unset);
    }

    private static string? Place(JsonElement json, string field, string where)
    {
        if (!json.TryGetProperty(field, out var place))
        {
            return null;
        }

        if (place.ValueKind != JsonValueKind.Object || !place.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"{where}.{field}", "must be an object with an id");
        }

        return Name(id.GetString(), $"{where}.{field}.id");
    }

    private static List<PartyEntry> Parties(JsonElement json, string field, string member, string where)
    {
        var parties = new List<PartyEntry>();
        if (!json.TryGetProperty(field, out var list))
        {
            return parties;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"{where}.{field}", $"must be an array of {{type, {member}}}");
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{where}.{field}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !item.TryGetProperty(member, out var id) || id.ValueKind != JsonValueKind.String)
            {
                throw Invalid(at, $"needs type and {member}");
            }

            var typeText = type.GetString()!;
            var bare = typeText.StartsWith("https://ref.gs1.org/cbv/SDT-", StringComparison.Ordinal) ? typeText[28..]
                : typeText.StartsWith("urn:epcglobal:cbv:sdt:", StringComparison.Ordinal) ? typeText[22..] : typeText;
            parties.Add(new PartyEntry(bare, Name(id.GetString(), $"{at}.{member}")));
        }

        return parties;
    }

    private static string? Text(JsonElement json, string field, string where, bool required)
    {
        if (!json.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw Invalid($"{where}.{field}", "is required") : null;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw Invalid($"{where}.{field}", "must be a non-empty string");
    }

    /// <summary>
    /// An event sent without an eventID is named by a hash of its content (keys sorted; recordTime and any
    /// errorDeclaration left out), so that sending it again stores nothing new, and declaring it erroneous finds it.
    /// </summary>
    private static string HashId(JsonElement json)
    {
        var canonical = Canonical(JsonNode.Parse(json.GetRawText())!);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToJsonString()));
        return "ni:///sha-256;" + Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "?ver=CBV2.0";
    }

    private static JsonNode Canonical(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Key is not ("recordTime" or "eventID" or "errorDeclaration")).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : (JsonNode?)Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(i => i is null ? null : Canonical(i)).ToArray()),
        _ => node.DeepClone(),
    };

    private static string WithEventId(JsonElement json, string eventId)
    {
        var node = JsonNode.Parse(json.GetRawText())!.AsObject();
        node["eventID"] = eventId;
        node.Remove("recordTime");
        return node.ToJsonString();
    }

    private static HandleException Invalid(string where, string message) => new(ResponseCode.InvalidValue, $"{where}: {message}");
}

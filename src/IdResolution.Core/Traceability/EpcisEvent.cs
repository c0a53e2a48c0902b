namespace IdResolution.Core.Traceability;

/// <summary>The five EPCIS 2.0 event types.</summary>
public enum EventType
{
    ObjectEvent,
    AggregationEvent,
    TransformationEvent,
    TransactionEvent,
    AssociationEvent,
}

/// <summary>The part an object plays in an event; genealogy follows parent/child and input/output.</summary>
public enum ObjectRole
{
    /// <summary>In epcList or quantityList: the event is about it.</summary>
    Subject,
    Parent,
    Child,
    Input,
    Output,

    /// <summary>Object classes (lots, e.g. LGTIN URNs) in the quantity lists, apart from instances so that MATCH_epc and MATCH_epcClass stay apart.</summary>
    QuantitySubject,
    QuantityChild,
    QuantityInput,
    QuantityOutput,
}

/// <summary>How quantity roles relate to instance roles: the same part in the event, for genealogy and state.</summary>
public static class ObjectRoles
{
    /// <summary>The instance role a quantity role stands for (itself for instance roles).</summary>
    public static ObjectRole Part(this ObjectRole role) => role switch
    {
        ObjectRole.QuantitySubject => ObjectRole.Subject,
        ObjectRole.QuantityChild => ObjectRole.Child,
        ObjectRole.QuantityInput => ObjectRole.Input,
        ObjectRole.QuantityOutput => ObjectRole.Output,
        _ => role,
    };
}

/// <summary>An object named in an event, normalised (<see cref="ObjectNames"/>), and the part it plays.</summary>
public readonly record struct EventObject(string Name, ObjectRole Role);

/// <summary>A party or location in sourceList / destinationList, e.g. (owning_party, 88.118.8.1001/ACME).</summary>
public readonly record struct PartyEntry(string Type, string Id);

/// <summary>
/// One validated EPCIS 2.0 event: the fields the node indexes and reasons about (objects, time, step, state,
/// location, parties), and the event's JSON as captured, which queries return unchanged.
/// </summary>
public sealed record EpcisEvent
{
    public required string EventId { get; init; }

    public required EventType Type { get; init; }

    /// <summary>ADD, OBSERVE or DELETE; null for transformations.</summary>
    public string? Action { get; init; }

    /// <summary>When it happened, Unix milliseconds (UTC).</summary>
    public required long EventTime { get; init; }

    public required string EventTimeZoneOffset { get; init; }

    /// <summary>Bare CBV term (<c>shipping</c>) or the URI the sender used for a non-CBV step.</summary>
    public string? BizStep { get; init; }

    /// <summary>Bare CBV term (<c>recalled</c>) or the URI the sender used.</summary>
    public string? Disposition { get; init; }

    public string? ReadPoint { get; init; }

    /// <summary>Ties transformation events together: the inputs of each went into the outputs of all.</summary>
    public string? TransformationId { get; init; }

    /// <summary>persistentDisposition.set / .unset: states that last until unset, whatever later events say.</summary>
    public IReadOnlyList<string> PersistentSet { get; init; } = [];

    public IReadOnlyList<string> PersistentUnset { get; init; } = [];

    public string? BizLocation { get; init; }

    public required IReadOnlyList<EventObject> Objects { get; init; }

    public required IReadOnlyList<PartyEntry> Sources { get; init; }

    public required IReadOnlyList<PartyEntry> Destinations { get; init; }

    /// <summary>Set when this capture declares the event with the same eventID erroneous (EPCIS error declaration).</summary>
    public bool DeclaresError { get; init; }

    /// <summary>The event's JSON (with its eventID), as queries return it.</summary>
    public required string Json { get; init; }

    /// <summary>The object that custody passes to: the destination's owning or possessing party, if named.</summary>
    public string? Custodian
    {
        get
        {
            foreach (var type in (ReadOnlySpan<string>)["possessing_party", "owning_party"])
            {
                foreach (var destination in Destinations)
                {
                    if (destination.Type == type)
                    {
                        return destination.Id;
                    }
                }
            }

            return null;
        }
    }
}

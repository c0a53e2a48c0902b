namespace IdResolution.Registry.Model;

/// <summary>One captured EPCIS event: its indexed fields and its JSON as captured.</summary>
public sealed class StoredEvent
{
    public long Id { get; set; }

    /// <summary>The EPCIS eventID (given, or the content hash); unique through <see cref="StoredEventId"/>, which makes capture idempotent.</summary>
    public required string EventId { get; set; }

    public required string Type { get; set; }

    public string? Action { get; set; }

    /// <summary>Unix milliseconds, UTC.</summary>
    public long EventTime { get; set; }

    /// <summary>When this node stored it, Unix milliseconds.</summary>
    public long RecordTime { get; set; }

    public string? BizStep { get; set; }

    public string? Disposition { get; set; }

    public string? ReadPoint { get; set; }

    public string? BizLocation { get; set; }

    /// <summary>The transformationID that ties this transformation to others sharing it.</summary>
    public string? TransformationId { get; set; }

    /// <summary>Set by a later error declaration: still returned, no longer counted for an object's state.</summary>
    public bool Erroneous { get; set; }

    public long CaptureId { get; set; }

    public required string Json { get; set; }
}

/// <summary>An object an event names, and its role (see <c>ObjectRole</c>): what MATCH_ queries and timelines use.</summary>
public sealed class StoredEventObject
{
    public long EventPk { get; set; }

    public required string Name { get; set; }

    public byte Role { get; set; }
}

/// <summary>
/// A genealogy edge: <see cref="FromObject"/> went into <see cref="ToObject"/> (input to output of a transformation,
/// child to parent of an aggregation or association), by the event <see cref="EventPk"/>.
/// </summary>
public sealed class EventLink
{
    public required string FromObject { get; set; }

    public required string ToObject { get; set; }

    public long EventPk { get; set; }

    /// <summary>From when the link holds (Unix ms): the event's time.</summary>
    public long ValidFrom { get; set; }

    /// <summary>Until when (Unix ms): an unpacking ends a child's link to its parent; otherwise for ever (long.MaxValue).</summary>
    public long ValidTo { get; set; } = long.MaxValue;

    /// <summary>A child in its parent (aggregation, association) rather than an input made into an output.</summary>
    public bool Containment { get; set; }
}

/// <summary>An object's current state, from its latest events: disposition, location and custodian, each with its time.</summary>
public sealed class ObjectState
{
    public required string Name { get; set; }

    public string? Disposition { get; set; }

    public long? DispositionAt { get; set; }

    /// <summary>Persistent dispositions in force (EPCIS persistentDisposition), space-separated, e.g. <c>recalled</c>.</summary>
    public string? Persistent { get; set; }

    public long? PersistentAt { get; set; }

    public string? Location { get; set; }

    public long? LocationAt { get; set; }

    public string? Custodian { get; set; }

    public long? CustodianAt { get; set; }
}

/// <summary>One capture request: how many events it brought and how many of them were already known.</summary>
public sealed class StoredCapture
{
    public long Id { get; set; }

    public long At { get; set; }

    public int Events { get; set; }

    public int Duplicates { get; set; }

    public long? KeyId { get; set; }
}

/// <summary>
/// Which event row holds an eventID. Kept apart from the events so that eventIDs stay unique (and capture idempotent)
/// while the event table is partitioned by its row id, which a unique index on the eventID could not span.
/// </summary>
public sealed class StoredEventId
{
    public required string EventId { get; set; }

    public long EventPk { get; set; }
}

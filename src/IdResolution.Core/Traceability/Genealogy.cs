namespace IdResolution.Core.Traceability;

/// <summary>The genealogy edges an event creates: what went into what.</summary>
public static class Genealogy
{
    /// <summary>
    /// Inputs go into outputs (transformation); children go into their parent (aggregation and association, when
    /// added or observed together). Unpacking (DELETE) adds none: the history stays.
    /// </summary>
    public static IEnumerable<(string From, string To)> Links(EpcisEvent e)
    {
        var (from, to) = e.Type switch
        {
            EventType.TransformationEvent => (ObjectRole.Input, ObjectRole.Output),
            EventType.AggregationEvent or EventType.AssociationEvent when e.Action != "DELETE" => (ObjectRole.Child, ObjectRole.Parent),
            _ => (ObjectRole.Subject, ObjectRole.Subject),
        };
        if (from == ObjectRole.Subject)
        {
            yield break;
        }

        var seen = new HashSet<(string, string)>();
        foreach (var source in e.Objects)
        {
            if (source.Role.Part() != from)
            {
                continue;
            }

            foreach (var target in e.Objects)
            {
                if (target.Role.Part() == to && source.Name != target.Name && seen.Add((source.Name, target.Name)))
                {
                    yield return (source.Name, target.Name);
                }
            }
        }
    }

    /// <summary>How many links <see cref="Links"/> makes at most, without making them.</summary>
    public static long LinkCount(EpcisEvent e)
    {
        long Count(ObjectRole role) => e.Objects.Count(o => o.Role.Part() == role);
        return e.Type switch
        {
            EventType.TransformationEvent => Count(ObjectRole.Input) * Count(ObjectRole.Output),
            EventType.AggregationEvent or EventType.AssociationEvent when e.Action != "DELETE" => Count(ObjectRole.Child) * Count(ObjectRole.Parent),
            _ => 0,
        };
    }

    /// <summary>The objects whose state an event's disposition, location and custody apply to (not a transformation's consumed inputs).</summary>
    public static bool CarriesState(ObjectRole role) => role.Part() != ObjectRole.Input;
}

using IdResolution.Core.Traceability;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace IdResolution.Registry.Traceability;

/// <summary>What a capture did: events stored, events already known (sent again), and error declarations applied.</summary>
public sealed record CaptureResult(long CaptureId, int Stored, int Duplicates, int Corrected);

/// <summary>
/// Stores captured events all-or-nothing, in one transaction with their objects, genealogy links, the objects' new
/// states and an audit entry. An eventID already stored stores nothing again, unless the new capture declares that
/// event erroneous (EPCIS error declaration), which marks it and recomputes its objects' states.
/// </summary>
public sealed partial class EventCapture(RegistryContext db, TimeProvider clock, WriteActor actor, CaptureMetrics metrics, ObjectAliases aliases, ILogger<EventCapture> logger)
{
    private const int MaxAttempts = 4;

    public async Task<CaptureResult> CaptureAsync(IReadOnlyList<EpcisEvent> events, CancellationToken cancellationToken)
    {
        // Two captures of the same new eventID or object at once: the loser's unique violation rolls it back whole,
        // and it runs again, now finding the winner's rows (its events then count as duplicates).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await TryCaptureAsync(events, cancellationToken);
                metrics.Captured(result);
                return result;
            }
            catch (Exception e) when (attempt < MaxAttempts && RegistryFailure.IsConflict(e))
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<CaptureResult> TryCaptureAsync(IReadOnlyList<EpcisEvent> events, CancellationToken cancellationToken)
    {
        var unique = Distinct(events);
        var ids = unique.ConvertAll(e => e.EventId);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            // The eventID lookup below reads every hash partition of epcis_event_ids; the planner's estimate for
            // that tempts it into parallel workers, whose start costs 10-20 times the lookup.
            await db.Database.ExecuteSqlRawAsync("SET LOCAL max_parallel_workers_per_gather = 0", cancellationToken);
        }

        unique = await aliases.CanonicalAsync(unique, cancellationToken);
        var known = await db.EventsByEventId(k => ids.Contains(k.EventId)).ToDictionaryAsync(e => e.EventId, cancellationToken);
        var capture = new StoredCapture { At = now, Events = events.Count, KeyId = actor.KeyId };
        db.Captures.Add(capture);
        await db.SaveChangesAsync(cancellationToken);

        var fresh = new List<(EpcisEvent Event, StoredEvent Row)>();
        var corrected = new List<StoredEvent>();
        foreach (var e in unique)
        {
            if (known.TryGetValue(e.EventId, out var stored))
            {
                if (e.DeclaresError && !stored.Erroneous)
                {
                    await EnsureMayCorrectAsync(stored, cancellationToken);
                    stored.Erroneous = true;
                    stored.Json = EpcisEventReader.WithErrorDeclaration(stored.Json, e.Json);
                    corrected.Add(stored);
                }

                continue;
            }

            var row = Row(e, now, capture.Id);
            db.Events.Add(row);
            fresh.Add((e, row));
        }

        capture.Duplicates = events.Count - fresh.Count - corrected.Count;
        await db.SaveChangesAsync(cancellationToken);
        foreach (var (_, row) in fresh)
        {
            // A concurrent capture of the same new eventID fails here (unique key) and runs again.
            db.EventIds.Add(new StoredEventId { EventId = row.EventId, EventPk = row.Id });
        }

        AddObjectsAndLinks(fresh);
        await db.SaveChangesAsync(cancellationToken);
        await LinkTransformationsAsync(fresh.Where(f => !f.Event.DeclaresError).Select(f => f.Event.TransformationId), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await RecloseAsync(ContainmentParents(fresh.Select(f => f.Event)), onlyUnpacked: true, cancellationToken);
        await UpdateStatesAsync(fresh, cancellationToken);
        await CorrectAsync(corrected, cancellationToken);
        db.Audit.Add(actor.Audit(now, "epcis.capture", "capture:" + capture.Id, null, null, null, $"events={events.Count} stored={fresh.Count} corrected={corrected.Count}"));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        if (fresh.Count > 0 && db.Database.IsNpgsql())
        {
            // Committed: the caller's cancellation no longer applies.
            await ExtendPartitionsAsync(CancellationToken.None);
        }

        return new CaptureResult(capture.Id, fresh.Count, capture.Duplicates, corrected.Count);
    }

    /// <summary>
    /// Makes the next range partition of the events before their ids reach it (a catalog check when it exists). The
    /// capture is committed by then: a failure here is logged, and the default partition takes rows meanwhile.
    /// </summary>
    private async Task ExtendPartitionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT idres_extend_event_partitions()", cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            LogExtendFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Could not make the next partition of the event table; new events go to its default partition until a later capture does")]
    private static partial void LogExtendFailed(ILogger logger, Exception exception);

    /// <summary>Only the enterprise that captured an event (or an operator) may declare it erroneous.</summary>
    private async Task EnsureMayCorrectAsync(StoredEvent stored, CancellationToken cancellationToken)
    {
        if (actor.IsOperator)
        {
            return;
        }

        var capturer = await (from c in db.Captures
                              join k in db.AccessKeys on c.KeyId equals k.Id
                              where c.Id == stored.CaptureId
                              select k.EnterpriseId).FirstOrDefaultAsync(cancellationToken);
        if (capturer is null || capturer != actor.EnterpriseId)
        {
            throw new Core.HandleException(Core.ResponseCode.InsufficientPermissions, $"event {stored.EventId} was captured by another enterprise; only it can declare the event erroneous");
        }
    }

    public Task<StoredCapture?> FindCaptureAsync(long id, CancellationToken cancellationToken) =>
        db.Captures.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);

    /// <summary>One event per eventID; a repeat that declares an error wins over the plain one.</summary>
    private static List<EpcisEvent> Distinct(IReadOnlyList<EpcisEvent> events)
    {
        var byId = new Dictionary<string, EpcisEvent>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var e in events)
        {
            if (!byId.TryGetValue(e.EventId, out var first))
            {
                byId[e.EventId] = e;
                order.Add(e.EventId);
            }
            else if (e.DeclaresError && !first.DeclaresError)
            {
                byId[e.EventId] = e;
            }
        }

        return order.ConvertAll(id => byId[id]);
    }

    private static StoredEvent Row(EpcisEvent e, long now, long captureId) => new()
    {
        EventId = e.EventId,
        Type = e.Type.ToString(),
        Action = e.Action,
        EventTime = e.EventTime,
        RecordTime = now,
        BizStep = e.BizStep,
        Disposition = e.Disposition,
        ReadPoint = e.ReadPoint,
        BizLocation = e.BizLocation,
        TransformationId = e.TransformationId,
        Erroneous = e.DeclaresError,
        CaptureId = captureId,
        Json = e.Json,
    };

    private void AddObjectsAndLinks(List<(EpcisEvent Event, StoredEvent Row)> fresh)
    {
        foreach (var (e, row) in fresh)
        {
            // An event first captured already declared erroneous is kept for the record, outside the genealogy.
            var linked = !e.DeclaresError;
            var seen = new HashSet<(string, ObjectRole)>();
            foreach (var o in e.Objects)
            {
                if (seen.Add((o.Name, o.Role)))
                {
                    db.EventObjects.Add(new StoredEventObject { EventPk = row.Id, Name = o.Name, Role = (byte)o.Role });
                }
            }

            foreach (var (from, to) in linked ? Genealogy.Links(e) : [])
            {
                db.EventLinks.Add(new EventLink
                {
                    FromObject = from,
                    ToObject = to,
                    EventPk = row.Id,
                    ValidFrom = e.EventTime,
                    Containment = e.Type != EventType.TransformationEvent,
                });
            }
        }
    }

    /// <summary>
    /// Transformations sharing a transformationID are one transformation told in parts: every input of any of them
    /// goes into every output of any of them. The group's links are rebuilt whenever a part arrives or is declared
    /// erroneous, carried by its earliest valid part.
    /// </summary>
    private async Task LinkTransformationsAsync(IEnumerable<string?> transformationIds, CancellationToken cancellationToken)
    {
        foreach (var id in transformationIds.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var parts = await (from o in db.EventObjects
                               join e in db.Events on o.EventPk equals e.Id
                               where e.TransformationId == id
                                     && (o.Role == (byte)ObjectRole.Input || o.Role == (byte)ObjectRole.Output || o.Role == (byte)ObjectRole.QuantityInput || o.Role == (byte)ObjectRole.QuantityOutput)
                               select new { o.Name, o.Role, o.EventPk, e.EventTime, e.Erroneous }).ToListAsync(cancellationToken);
            var allPks = parts.Select(p => p.EventPk).Distinct().ToList();
            await db.EventLinks.Where(l => allPks.Contains(l.EventPk)).ExecuteDeleteAsync(cancellationToken);
            foreach (var tracked in db.ChangeTracker.Entries<EventLink>().Where(l => allPks.Contains(l.Entity.EventPk)).ToList())
            {
                tracked.State = EntityState.Detached; // deleted above, behind the tracker's back
            }

            var valid = parts.Where(p => !p.Erroneous).ToList();
            if (valid.Count == 0)
            {
                continue;
            }

            var inputs = valid.Where(p => ((ObjectRole)p.Role).Part() == ObjectRole.Input).Select(p => p.Name).Distinct().ToList();
            var outputs = valid.Where(p => ((ObjectRole)p.Role).Part() == ObjectRole.Output).Select(p => p.Name).Distinct().ToList();
            if ((long)inputs.Count * outputs.Count > EpcisEventReader.MaxLinksPerEvent)
            {
                throw new Core.HandleException(Core.ResponseCode.InvalidValue, $"transformation {id}: inputs x outputs is above {EpcisEventReader.MaxLinksPerEvent}");
            }

            var carrier = valid.OrderBy(p => p.EventTime).ThenBy(p => p.EventPk).First();
            foreach (var input in inputs)
            {
                foreach (var output in outputs)
                {
                    if (input != output)
                    {
                        db.EventLinks.Add(new EventLink { FromObject = input, ToObject = output, EventPk = carrier.EventPk, ValidFrom = carrier.EventTime });
                    }
                }
            }
        }
    }

    /// <summary>
    /// A parent's containment links end at the first later unpacking (DELETE) that names their child or names no
    /// child, among its valid events whatever order they arrived in: recomputed for each parent a capture touches.
    /// </summary>
    private async Task RecloseAsync(IEnumerable<string> parents, bool onlyUnpacked, CancellationToken cancellationToken)
    {
        var list = parents.Distinct(StringComparer.Ordinal).ToList();
        if (onlyUnpacked && list.Count > 0)
        {
            // Most packing has no unpacking yet: one query finds the parents that have any, and only they are re-closed.
            list = await (from e in db.Events
                          join p in db.EventObjects on e.Id equals p.EventPk
                          where list.Contains(p.Name) && p.Role == (byte)ObjectRole.Parent && e.Action == "DELETE" && !e.Erroneous
                          select p.Name).Distinct().ToListAsync(cancellationToken);
        }

        foreach (var parent in list)
        {
            var links = await db.EventLinks.Where(l => l.ToObject == parent && l.Containment).ToListAsync(cancellationToken);
            if (links.Count == 0)
            {
                continue;
            }

            var deletes = await (from e in db.Events
                                 join p in db.EventObjects on e.Id equals p.EventPk
                                 where p.Name == parent && p.Role == (byte)ObjectRole.Parent && e.Action == "DELETE" && !e.Erroneous
                                       && (e.Type == nameof(EventType.AggregationEvent) || e.Type == nameof(EventType.AssociationEvent))
                                 orderby e.EventTime
                                 select new { e.Id, e.EventTime }).ToListAsync(cancellationToken);
            var deletePks = deletes.ConvertAll(d => d.Id);
            var children = (await db.EventObjects.Where(o => deletePks.Contains(o.EventPk) && (o.Role == (byte)ObjectRole.Child || o.Role == (byte)ObjectRole.QuantityChild))
                    .Select(o => new { o.EventPk, o.Name }).ToListAsync(cancellationToken))
                .ToLookup(o => o.EventPk, o => o.Name);
            foreach (var link in links)
            {
                link.ValidTo = long.MaxValue;
                foreach (var d in deletes)
                {
                    if (d.EventTime >= link.ValidFrom && (!children[d.Id].Any() || children[d.Id].Contains(link.FromObject)))
                    {
                        link.ValidTo = d.EventTime;
                        break;
                    }
                }
            }
        }
    }

    private static IEnumerable<string> ContainmentParents(IEnumerable<EpcisEvent> events) =>
        events.Where(e => e.Type is EventType.AggregationEvent or EventType.AssociationEvent)
            .SelectMany(e => e.Objects.Where(o => o.Role == ObjectRole.Parent).Select(o => o.Name));

    /// <summary>The latest event that says so wins, per field; events arriving late do not overwrite newer state.</summary>
    private async Task UpdateStatesAsync(List<(EpcisEvent Event, StoredEvent Row)> fresh, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (e, _) in fresh)
        {
            if (!e.DeclaresError && ((e.Disposition ?? e.BizLocation ?? e.Custodian) is not null || e.PersistentSet.Count + e.PersistentUnset.Count > 0))
            {
                foreach (var o in e.Objects)
                {
                    if (Genealogy.CarriesState(o.Role))
                    {
                        names.Add(o.Name);
                    }
                }
            }
        }

        if (names.Count == 0)
        {
            return;
        }

        var states = await LockStatesAsync(names, cancellationToken);
        foreach (var (e, _) in fresh.OrderBy(f => f.Event.EventTime))
        {
            if (e.DeclaresError)
            {
                continue;
            }

            foreach (var o in e.Objects)
            {
                if (Genealogy.CarriesState(o.Role) && names.Contains(o.Name))
                {
                    if (!states.TryGetValue(o.Name, out var state))
                    {
                        state = states[o.Name] = new ObjectState { Name = o.Name };
                        db.ObjectStates.Add(state);
                    }

                    Apply(state, e.Disposition, e.BizLocation, e.Custodian, e.EventTime);
                    ApplyPersistent(state, e.PersistentSet, e.PersistentUnset, e.EventTime);
                }
            }
        }
    }

    /// <summary>Persistent dispositions (e.g. recalled) stay until an event unsets them, whatever later events say.</summary>
    private static void ApplyPersistent(ObjectState state, IReadOnlyList<string> set, IReadOnlyList<string> unset, long at)
    {
        // The latest event that sets or unsets wins, whatever order events arrive in (as for the other fields).
        if (set.Count + unset.Count == 0 || (state.PersistentAt is { } since && at < since))
        {
            return;
        }

        state.PersistentAt = at;
        var current = new SortedSet<string>((state.Persistent ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        current.ExceptWith(unset);
        current.UnionWith(set);
        state.Persistent = current.Count == 0 ? null : string.Join(' ', current);
    }

    private static void Apply(ObjectState state, string? disposition, string? location, string? custodian, long at)
    {
        if (disposition is not null && (state.DispositionAt is null || at >= state.DispositionAt))
        {
            (state.Disposition, state.DispositionAt) = (disposition, at);
        }

        if (location is not null && (state.LocationAt is null || at >= state.LocationAt))
        {
            (state.Location, state.LocationAt) = (location, at);
        }

        if (custodian is not null && (state.CustodianAt is null || at >= state.CustodianAt))
        {
            (state.Custodian, state.CustodianAt) = (custodian, at);
        }
    }

    /// <summary>
    /// The states of these objects, locked on PostgreSQL until the capture commits, so that concurrent captures about
    /// the same object apply their events one after the other (SQLite serialises writers anyway).
    /// </summary>
    private async Task<Dictionary<string, ObjectState>> LockStatesAsync(ICollection<string> names, CancellationToken cancellationToken)
    {
        var list = names.ToList();
        var query = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true
            ? db.ObjectStates.FromSqlRaw("SELECT * FROM epcis_object_states WHERE name = ANY({0}) ORDER BY name FOR UPDATE", list)
            : db.ObjectStates.Where(s => list.Contains(s.Name));
        return await query.ToDictionaryAsync(s => s.Name, StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>
    /// Events declared erroneous leave the genealogy (their links go) and their objects' states are computed again
    /// from the events left, each event's JSON read once.
    /// </summary>
    private async Task CorrectAsync(List<StoredEvent> corrected, CancellationToken cancellationToken)
    {
        if (corrected.Count == 0)
        {
            return;
        }

        await db.SaveChangesAsync(cancellationToken);
        var pks = corrected.ConvertAll(e => e.Id);
        await db.EventLinks.Where(l => pks.Contains(l.EventPk)).ExecuteDeleteAsync(cancellationToken);
        await LinkTransformationsAsync(corrected.Select(e => e.TransformationId), cancellationToken);
        var parents = await db.EventObjects.Where(o => pks.Contains(o.EventPk) && o.Role == (byte)ObjectRole.Parent).Select(o => o.Name).ToListAsync(cancellationToken);
        await RecloseAsync(parents, onlyUnpacked: false, cancellationToken);
        var names = await db.EventObjects.Where(o => pks.Contains(o.EventPk) && o.Role != (byte)ObjectRole.Input && o.Role != (byte)ObjectRole.QuantityInput)
            .Select(o => o.Name).Distinct().ToListAsync(cancellationToken);
        // Locked before the history is read: a concurrent capture about these objects commits first or waits.
        var states = await LockStatesAsync(names, cancellationToken);
        var history = await (from o in db.EventObjects
                             join e in db.Events on o.EventPk equals e.Id
                             where names.Contains(o.Name) && o.Role != (byte)ObjectRole.Input && o.Role != (byte)ObjectRole.QuantityInput && !e.Erroneous
                             orderby e.EventTime, e.Id
                             select new { o.Name, e.Id, e.Disposition, e.BizLocation, e.EventTime }).ToListAsync(cancellationToken);
        var eventIds = history.Select(h => h.Id).Distinct().ToList();
        var custodians = new Dictionary<long, string?>();
        var persistent = new Dictionary<long, EpcisEvent>();
        foreach (var e in await db.Events.AsNoTracking()
            .Where(e => eventIds.Contains(e.Id) && (e.Json.Contains("destinationList") || e.Json.Contains("persistentDisposition"))).Select(e => new { e.Id, e.Json }).ToListAsync(cancellationToken))
        {
            custodians[e.Id] = CustodianOf(e.Json);
            if (e.Json.Contains("persistentDisposition", StringComparison.Ordinal))
            {
                using var document = System.Text.Json.JsonDocument.Parse(e.Json);
                persistent[e.Id] = EpcisEventReader.ReadEvent(document.RootElement);
            }
        }

        foreach (var name in names)
        {
            if (!states.TryGetValue(name, out var state))
            {
                state = states[name] = new ObjectState { Name = name };
                db.ObjectStates.Add(state);
            }

            (state.Disposition, state.DispositionAt, state.Location, state.LocationAt, state.Custodian, state.CustodianAt) = (null, null, null, null, null, null);
            (state.Persistent, state.PersistentAt) = (null, null);
        }

        foreach (var h in history)
        {
            Apply(states[h.Name], h.Disposition, h.BizLocation, custodians.GetValueOrDefault(h.Id), h.EventTime);
            if (persistent.TryGetValue(h.Id, out var p))
            {
                ApplyPersistent(states[h.Name], p.PersistentSet, p.PersistentUnset, h.EventTime);
            }
        }
    }

    /// <summary>The destination's possessing (else owning) party, read from an event's JSON without validating it again.</summary>
    private static string? CustodianOf(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("destinationList", out var list) || list.ValueKind != System.Text.Json.JsonValueKind.Array)
        {
            return null;
        }

        string? owner = null;
        foreach (var item in list.EnumerateArray())
        {
            var type = item.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            var id = item.TryGetProperty("destination", out var d) ? d.GetString() : null;
            if (id is null || !ObjectNames.TryNormalise(id, out var name, out _))
            {
                continue;
            }

            if (type.EndsWith("possessing_party", StringComparison.Ordinal))
            {
                return name;
            }

            owner ??= type.EndsWith("owning_party", StringComparison.Ordinal) ? name : null;
        }

        return owner;
    }
}

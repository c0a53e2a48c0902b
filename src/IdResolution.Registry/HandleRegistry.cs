using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Schemes;
using IdResolution.Core.Templates;
using IdResolution.Core.Values;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdResolution.Registry;

/// <summary>The outcome of a write that succeeded.</summary>
public sealed record WriteResult(string Handle, long Version, bool Created);

/// <summary>
/// Reads and writes handles in the registry. Every write checks that this node serves the prefix, validates
/// the values, stamps them, and bumps the handle's version under optimistic concurrency.
/// </summary>
public sealed partial class HandleRegistry(
    RegistryContext db,
    PrefixRegistry prefixes,
    TimeProvider clock,
    IOptions<RegistryOptions> options,
    IEnumerable<IHandleWriteListener> listeners,
    RegistryCommandCounter commands,
    WriteActor actor,
    Traceability.ObjectAliases objects,
    TemplateStore templates,
    CoalescedLookups? lookups = null)
{
    private const int MaxConcurrencyRetries = 12;

    /// <summary>
    /// The resolve path's registry read: one primary-key lookup. Plain ADO.NET (a prepared statement on PostgreSQL)
    /// rather than a LINQ query, which costs several times more per call; on the primary outside a transaction sent
    /// together with other callers' lookups (<see cref="CoalescedLookups"/>).
    /// </summary>
    public async Task<HandleRecord?> FindAsync(HandleName name, CancellationToken cancellationToken)
    {
        if (lookups is not null && db is PostgresRegistryContext && db.Database.CurrentTransaction is null)
        {
            return await lookups.FindAsync(name.Key, cancellationToken);
        }

        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken);
        }

        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = db.Database.IsNpgsql() ? PostgresFind : SqliteFind;
            var key = command.CreateParameter();
            key.ParameterName = "key";
            key.Value = name.Key;
            command.Parameters.Add(key);
            commands.Sent();
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadRecord(reader, 0) : null;
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }

    /// <summary>A record from the find queries' columns handle, version, values, aliases, from <paramref name="first"/> on.</summary>
    internal static HandleRecord ReadRecord(System.Data.Common.DbDataReader reader, int first) =>
        new(reader.GetString(first), reader.GetInt64(first + 1), HandleValueCodec.Decode((byte[])reader.GetValue(first + 2)))
        {
            Aliases = reader.IsDBNull(first + 3) ? [] : reader.GetString(first + 3).Split('\n'),
        };

    /// <summary>Answers list at most this many aliases (the first by name): a product record with an alias per serial must not grow every answer.</summary>
    public const int MaxListedAliases = 100;

    // The record and, in the same statement, the names that are aliases of it (names hold no control characters),
    // at most MaxListedAliases of them.
    private static readonly string PostgresRecordColumns = $"""
        h."handle", h."version", h."values",
               (SELECT string_agg(x."alias", E'\n' ORDER BY x."alias")
                FROM (SELECT a."alias" FROM "handle_aliases" a WHERE a."target_key" = h."key" ORDER BY a."alias" LIMIT {MaxListedAliases}) x)
        """;

    private static readonly string PostgresFind = $"""SELECT {PostgresRecordColumns} FROM "handles" h WHERE h."key" = @key""";

    /// <summary>
    /// Several keys' records, each row led by its key. A join to the keys rather than <c>key = ANY(...)</c>: PostgreSQL
    /// then reads, for each key, only the partition holding it (a prepared <c>= ANY</c> reads every partition).
    /// </summary>
    internal static readonly string PostgresFindMany = $"""
        SELECT h."key", {PostgresRecordColumns}
        FROM unnest(@keys) AS k("key") JOIN "handles" h ON h."key" = k."key"
        """;

    private static readonly string SqliteFind = $"""
        SELECT h."handle", h."version", h."values",
               (SELECT group_concat(x."alias", char(10)) FROM (SELECT a."alias" FROM "handle_aliases" a WHERE a."target_key" = h."key" ORDER BY a."alias" LIMIT {MaxListedAliases}) x)
        FROM "handles" h WHERE h."key" = @key
        """;

    /// <summary>Reads many handles in one query; the result is keyed by normalised handle.</summary>
    public async Task<Dictionary<string, HandleRecord>> FindManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var rows = await db.Handles.AsNoTracking().Where(h => keys.Contains(h.Key)).ToListAsync(cancellationToken);
        var records = new Dictionary<string, HandleRecord>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            records[row.Key] = new HandleRecord(row.Handle, row.Version, HandleValueCodec.Decode(row.Values));
        }

        if (records.Count > 0)
        {
            foreach (var (target, aliases) in await AliasesOfAsync(records.Keys, cancellationToken))
            {
                records[target] = records[target] with { Aliases = aliases };
            }
        }

        return records;
    }

    /// <summary>
    /// How many handles the registry holds, or null when unknown: PostgreSQL's statistics (live rows as last
    /// counted by autovacuum/ANALYZE; an exact count of 10^8 rows would scan them all), an exact count on SQLite.
    /// </summary>
    public async Task<long?> CountAsync(CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // The table is partitioned: its rows are counted in its partitions.
            var live = await db.Database.SqlQueryRaw<long?>(
                    "SELECT sum(n_live_tup)::bigint AS \"Value\" FROM pg_stat_user_tables WHERE relid = 'handles'::regclass OR relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'handles'::regclass)")
                .ToListAsync(cancellationToken);
            return live[0];
        }

        return await db.Handles.LongCountAsync(cancellationToken);
    }

    public Task<bool> ExistsAsync(HandleName name, CancellationToken cancellationToken) =>
        db.Handles.AnyAsync(h => h.Key == name.Key, cancellationToken);

    public async Task<WriteResult> CreateAsync(HandleName name, IReadOnlyList<HandleValue> values, CancellationToken cancellationToken)
    {
        var home = await prefixes.EnsureHomeAsync(name, cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var stamped = Stamp(values, now);
        await ValidateAsync(stamped, cancellationToken);

        db.Handles.Add(new StoredHandle
        {
            Key = name.Key,
            Handle = name.Display,
            // OIDs and GS1 keys are listed under the arc or company prefix they were registered in.
            Prefix = name.Scheme == IdentifierScheme.Handle ? name.Prefix.Key : home.Key,
            Version = 1,
            Values = HandleValueCodec.Encode(stamped),
            CreatedAt = now,
            UpdatedAt = now,
        });
        db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "handle.create", name.Key, home.Key, null, 1));
        await StageAliasAsync(name, stamped, cancellationToken);
        try
        {
            await SaveAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await ExistsAsync(name, cancellationToken))
            {
                throw new HandleException(ResponseCode.HandleAlreadyExists, $"handle {name.Display} already exists");
            }

            throw;
        }

        await NotifyAsync(name, HandleChange.Created);
        await NotifyRetargetedAsync();
        return new WriteResult(name.Display, 1, Created: true);
    }

    /// <summary>Replaces all values of a handle, creating it when absent.</summary>
    public async Task<WriteResult> ReplaceAsync(HandleName name, IReadOnlyList<HandleValue> values, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= MaxConcurrencyRetries; attempt++)
        {
            try
            {
                var result = await ExistsAsync(name, cancellationToken)
                    ? await TryMutateAsync(name, (_, now) => Stamp(values, now), cancellationToken)
                    : await CreateAsync(name, values, cancellationToken);
                if (result is not null)
                {
                    return result;
                }
            }
            catch (HandleException e) when (e.Code is ResponseCode.HandleAlreadyExists or ResponseCode.HandleNotFound)
            {
                // created or deleted concurrently: look again
            }

            await BackOffAsync(attempt, cancellationToken);
        }

        throw Contended(name);
    }

    /// <summary>Replaces all values of a handle that must exist.</summary>
    public Task<WriteResult> ReplaceExistingAsync(HandleName name, IReadOnlyList<HandleValue> values, CancellationToken cancellationToken) =>
        MutateAsync(name, (_, now) => Stamp(values, now), cancellationToken);

    /// <summary>Adds the given values or replaces those with the same index; the handle must exist.</summary>
    public Task<WriteResult> UpsertValuesAsync(HandleName name, IReadOnlyList<HandleValue> values, bool overwrite, CancellationToken cancellationToken)
    {
        EnsureDistinctIndexes(values);
        return MutateAsync(name, (current, now) =>
            {
                var merged = new List<HandleValue>(current);
                foreach (var value in values)
                {
                    var at = merged.FindIndex(v => v.Index == value.Index);
                    if (at >= 0 && !overwrite)
                    {
                        throw new HandleException(ResponseCode.ValueAlreadyExists, $"handle {name.Display} already has a value at index {value.Index}");
                    }

                    var stamped = value with { Timestamp = now };
                    if (at >= 0)
                    {
                        merged[at] = stamped;
                    }
                    else
                    {
                        merged.Add(stamped);
                    }
                }

                return merged;
            }, cancellationToken);
    }

    /// <summary>
    /// A partial write naming one index twice is refused before it is merged: merging would keep only the last, after
    /// every check (permissions included) had looked at the first.
    /// </summary>
    private static void EnsureDistinctIndexes(IReadOnlyList<HandleValue> values)
    {
        var seen = new HashSet<int>();
        foreach (var value in values)
        {
            if (!seen.Add(value.Index))
            {
                throw new HandleException(ResponseCode.InvalidValue, $"index {value.Index} appears more than once");
            }
        }
    }

    /// <summary>Removes the values with the given indexes; every index must exist.</summary>
    public Task<WriteResult> RemoveValuesAsync(HandleName name, IReadOnlyCollection<int> indexes, CancellationToken cancellationToken) =>
        MutateAsync(name, (current, _) =>
        {
            foreach (var index in indexes)
            {
                if (!current.Any(v => v.Index == index))
                {
                    throw new HandleException(ResponseCode.ValuesNotFound, $"handle {name.Display} has no value at index {index}");
                }
            }

            return current.Where(v => !indexes.Contains(v.Index)).ToList();
        }, cancellationToken);

    public async Task DeleteAsync(HandleName name, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= MaxConcurrencyRetries; attempt++)
        {
            if (await TryDeleteAsync(name, cancellationToken))
            {
                await NotifyAsync(name, HandleChange.Deleted);
                await NotifyRetargetedAsync();
                return;
            }

            await BackOffAsync(attempt, cancellationToken);
        }

        throw Contended(name);
    }

    /// <summary>Deletes the handle as last read, with its audit entry; false when another writer changed it first.</summary>
    private async Task<bool> TryDeleteAsync(HandleName name, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var row = await db.Handles.FirstOrDefaultAsync(h => h.Key == name.Key, cancellationToken) ?? throw await NotFoundAsync(name, cancellationToken);
        db.Handles.Remove(row);
        await StageAliasAsync(name, null, cancellationToken);
        db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "handle.delete", name.Key, AuditPrefix(name, row), row.Version, null));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }

    /// <summary>One page of the handles under a prefix, in key order, and the total count.</summary>
    public async Task<(IReadOnlyList<string> Handles, int Total)> ListPageAsync(PrefixName prefix, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = db.Handles.AsNoTracking().Where(h => h.Prefix == prefix.Key);
        var total = await query.CountAsync(cancellationToken);
        var handles = await query.OrderBy(h => h.Key).Skip(page * pageSize).Take(pageSize).Select(h => h.Handle).ToListAsync(cancellationToken);
        return (handles, total);
    }

    /// <summary>Keyset paging over whole records, for exports: up to <paramref name="limit"/> after <paramref name="afterKey"/>, in key order.</summary>
    public async Task<List<(string Key, HandleRecord Record)>> ExportPageAsync(PrefixName prefix, string? afterKey, int limit, CancellationToken cancellationToken)
    {
        var query = db.Handles.AsNoTracking().Where(h => h.Prefix == prefix.Key);
        if (afterKey is not null)
        {
            query = query.Where(h => string.Compare(h.Key, afterKey) > 0);
        }

        var rows = await query.OrderBy(h => h.Key).Take(limit).ToListAsync(cancellationToken);
        return rows.ConvertAll(r => (r.Key, new HandleRecord(r.Handle, r.Version, HandleValueCodec.Decode(r.Values))));
    }

    /// <summary>Keyset paging: up to <paramref name="limit"/> handles whose key sorts after <paramref name="afterKey"/>.</summary>
    public async Task<IReadOnlyList<(string Key, string Handle)>> ListAfterAsync(PrefixName prefix, string? afterKey, int limit, CancellationToken cancellationToken)
    {
        var query = db.Handles.AsNoTracking().Where(h => h.Prefix == prefix.Key);
        if (afterKey is not null)
        {
            query = query.Where(h => string.Compare(h.Key, afterKey) > 0);
        }

        var rows = await query.OrderBy(h => h.Key).Take(limit).Select(h => new { h.Key, h.Handle }).ToListAsync(cancellationToken);
        return rows.ConvertAll(r => (r.Key, r.Handle));
    }

    private async Task<WriteResult> MutateAsync(HandleName name, Func<IReadOnlyList<HandleValue>, long, IReadOnlyList<HandleValue>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt <= MaxConcurrencyRetries; attempt++)
        {
            var result = await TryMutateAsync(name, change, cancellationToken);
            if (result is not null)
            {
                return result;
            }

            await BackOffAsync(attempt, cancellationToken);
        }

        throw Contended(name);
    }

    /// <summary>Jittered, growing pauses between optimistic retries, so that contending writers spread out.</summary>
    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 << Math.Min(attempt, 6))), cancellationToken);

    private static HandleException Contended(HandleName name) =>
        new(ResponseCode.ServerTooBusy, $"handle {name.Display} is being changed by many writers at once; retry");

    /// <summary>Applies a change to the current values; null when another writer got there first.</summary>
    private async Task<WriteResult?> TryMutateAsync(HandleName name, Func<IReadOnlyList<HandleValue>, long, IReadOnlyList<HandleValue>> change, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var row = await db.Handles.FirstOrDefaultAsync(h => h.Key == name.Key, cancellationToken) ?? throw await NotFoundAsync(name, cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var values = change(HandleValueCodec.Decode(row.Values), now);
        await ValidateAsync(values, cancellationToken);

        row.Values = HandleValueCodec.Encode(Sorted(values));
        row.Version++;
        row.UpdatedAt = now;
        db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "handle.update", name.Key, AuditPrefix(name, row), row.Version - 1, row.Version));
        await StageAliasAsync(name, values, cancellationToken);
        try
        {
            await SaveAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null;
        }

        await NotifyAsync(name, HandleChange.Updated);
        await NotifyRetargetedAsync();
        return new WriteResult(row.Handle, row.Version, Created: false);
    }

    /// <summary>Runs after the commit whatever the caller's cancellation: caches must learn of every committed write.</summary>
    private async Task NotifyAsync(HandleName name, HandleChange change)
    {
        foreach (var listener in listeners)
        {
            await listener.HandleWrittenAsync(name, change, CancellationToken.None);
        }
    }

    /// <summary>The value rules, then the identifier's template version (value 1001), reporting every rule its values break.</summary>
    private async ValueTask ValidateAsync(IReadOnlyList<HandleValue> values, CancellationToken cancellationToken)
    {
        HandleValueRules.Validate(values, options.Value.MaxValueBytes, options.Value.MaxRecordBytes);
        if (TemplateReference.From(values) is { } reference)
        {
            TemplateValidator.Ensure(reference, await templates.FindPublishedAsync(reference, cancellationToken), values);
        }
    }

    private static List<HandleValue> Stamp(IReadOnlyList<HandleValue> values, long now) =>
        Sorted(values.Select(v => v with { Timestamp = now }).ToList());

    private static List<HandleValue> Sorted(IReadOnlyList<HandleValue> values)
    {
        var list = values as List<HandleValue> ?? [.. values];
        list.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return list;
    }

    /// <summary>100 for a handle under a prefix served here, 301 for one this node is not responsible for.</summary>
    private async Task<HandleException> NotFoundAsync(HandleName name, CancellationToken cancellationToken) =>
        await prefixes.FindHomeAsync(name, cancellationToken) is not null
            ? new HandleException(ResponseCode.HandleNotFound, $"handle {name.Display} is not registered")
            : new HandleException(ResponseCode.ServerNotResponsible, PrefixRegistry.NotServedMessage(name));

    /// <summary>The prefix an audit entry files a change under: the home prefix, or the arc or company prefix the name was registered in.</summary>
    private static string AuditPrefix(HandleName name, StoredHandle row) => name.Scheme == IdentifierScheme.Handle ? name.HomePrefix.Key : row.Prefix;
}

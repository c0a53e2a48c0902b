using System.Diagnostics;
using System.Text;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Schemes;
using IdResolution.Core.Templates;
using IdResolution.Core.Values;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace IdResolution.Registry.Import;

/// <summary>How an import treats bad rows: keep the good ones (default), or store nothing when any row fails.</summary>
public sealed record ImportOptions(bool AllOrNothing = false, int BatchSize = 10_000);

public sealed record ImportError(long Line, string? Handle, ResponseCode Code, string Message);

/// <summary>What an import did: rows read, newly registered, already registered (skipped: a resumed import), refused.</summary>
public sealed class ImportResult
{
    public const int MaxReportedErrors = 1000;

    public long Read { get; set; }

    private long _imported;
    private long _existing;

    public long Imported { get => Interlocked.Read(ref _imported); set => _imported = value; }

    public long Existing { get => Interlocked.Read(ref _existing); set => _existing = value; }

    /// <summary>A stored batch's counts (batches are written two at a time).</summary>
    internal void AddStored(long imported, long existing)
    {
        Interlocked.Add(ref _imported, imported);
        Interlocked.Add(ref _existing, existing);
    }

    public long Failed { get; set; }

    public bool RolledBack { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>The first <see cref="MaxReportedErrors"/> refused rows, with their lines.</summary>
    public List<ImportError> Errors { get; } = [];
}

/// <summary>
/// Bulk registration: rows validated as single writes are (value rules, template, served prefix, the caller's rights
/// per prefix), then stored in batches: PostgreSQL binary COPY into a staging table and one
/// <c>INSERT ... ON CONFLICT DO NOTHING</c>, SQLite batched inserts. Identifiers already registered are skipped, so an
/// interrupted import run again completes without duplicates. Memory holds one batch, whatever the file's size.
/// Aliases (HS_ALIAS) are not imported: they are written one by one.
/// </summary>
public sealed class HandleImport(
    RegistryContext db, PrefixRegistry prefixes, TemplateStore templates, TimeProvider clock, WriteActor actor, IOptions<RegistryOptions> options, IServiceScopeFactory scopes)
{
    /// <summary>Decides whether the caller may register under a name's prefix: null when it may, else the refusal. Asked once per prefix.</summary>
    public delegate ValueTask<HandleException?> Authorize(HandleName name, CancellationToken cancellationToken);

    /// <summary>Told after each committed batch: newly registered identifiers per prefix.</summary>
    public delegate ValueTask Committed(IReadOnlyDictionary<string, long> registeredByPrefix, ImportResult progress);

    private const int MaxBatchesInFlight = 2;

    private sealed record Row(long Line, HandleName Name, string PrefixKey, byte[] Values);

    public async Task<ImportResult> ImportAsync(IAsyncEnumerable<ImportItem> items, ImportOptions importOptions, Authorize authorize, Committed committed, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = new ImportResult();
        var lookups = new Lookups();
        var read = new List<ImportItem>(importOptions.BatchSize);
        await using var transaction = importOptions.AllOrNothing ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var pending = new Dictionary<string, long>(StringComparer.Ordinal);
        // Batch by batch, the next one is read and checked while the previous ones are written (on their own
        // connections), so the node's work and the database's overlap; all-or-nothing imports write in their one
        // transaction instead.
        // Up to two batches are written at once, each on its own connection, so that the database uses both cores.
        var flushing = new Queue<Task>();
        async Task NextBatchAsync()
        {
            var batch = await CheckBatchAsync(read, lookups, authorize, result, cancellationToken);
            read.Clear();
            if (transaction is not null)
            {
                await FlushAsync(db, batch, result, null, pending, cancellationToken);
                return;
            }

            // SQLite has one writer at a time: batches go one after the other.
            if (flushing.Count >= (db.Database.IsNpgsql() ? MaxBatchesInFlight : 1))
            {
                await flushing.Dequeue();
            }

            flushing.Enqueue(FlushOnOwnConnectionAsync(batch, result, committed, cancellationToken));
        }

        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                result.Read++;
                read.Add(item);
                if (read.Count >= importOptions.BatchSize)
                {
                    await NextBatchAsync();
                }
            }

            await NextBatchAsync();
        }
        finally
        {
            // Whatever stopped the reading, no batch is still being written once the import answers.
            await AwaitAllAsync(flushing);
        }

        if (transaction is not null)
        {
            if (result.Failed > 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                (result.RolledBack, result.Existing, result.Imported) = (true, 0, 0);
            }
            else
            {
                await transaction.CommitAsync(cancellationToken);
                await committed(pending, result);
            }
        }

        result.Elapsed = Stopwatch.GetElapsedTime(started);
        return result;
    }

    /// <summary>Waits for every flush; the first failure is thrown once all have ended.</summary>
    private static async Task AwaitAllAsync(IEnumerable<Task> flushes)
    {
        var all = Task.WhenAll(flushes);
        try
        {
            await all;
        }
        catch when (all.Exception is { } failures)
        {
            throw failures.InnerExceptions[0];
        }
    }

    /// <summary>What checking rows needs from the registry, looked up once: homes and rights per prefix, published templates.</summary>
    private sealed class Lookups
    {
        /// <summary>Per handle prefix, for the whole import.</summary>
        public Dictionary<string, (string? PrefixKey, HandleException? Refusal)> Homes { get; } = new(StringComparer.Ordinal);

        /// <summary>Per OID or GS1 name (each finds its own arc or company prefix), for one batch: memory stays bounded.</summary>
        public Dictionary<string, (string? PrefixKey, HandleException? Refusal)> NameHomes { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, (string? PrefixKey, HandleException? Refusal)> For(HandleName name) =>
            name.Scheme == IdentifierScheme.Handle ? Homes : NameHomes;

        public Dictionary<string, MetadataTemplate?> Templates { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// Checks a batch: the registry lookups its rows need first (few: per prefix and template), then every row's
    /// checks and encoding in parallel (pure work), then duplicates within the batch, in line order.
    /// </summary>
    private async Task<List<Row>> CheckBatchAsync(List<ImportItem> items, Lookups lookups, Authorize authorize, ImportResult result, CancellationToken cancellationToken)
    {
        lookups.NameHomes.Clear();
        foreach (var item in items)
        {
            await PrefetchAsync(item, lookups, authorize, cancellationToken);
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var checkedRows = new (Row? Row, HandleException? Refusal)[items.Count];
        Parallel.For(0, items.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            try
            {
                checkedRows[i] = (Check(items[i], lookups, now), null);
            }
            catch (HandleException e)
            {
                checkedRows[i] = (null, e);
            }
        });

        var batch = new List<Row>(items.Count);
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var (row, refusal) = checkedRows[i];
            if (row is not null && lines.TryGetValue(row.Name.Key, out var first))
            {
                refusal = new HandleException(ResponseCode.HandleAlreadyExists, $"{row.Name.Display} is already on line {first} of this import");
            }

            if (refusal is not null)
            {
                Fail(result, new ImportError(items[i].Line, items[i].Handle, refusal.Code, refusal.Message));
                continue;
            }

            lines[row!.Name.Key] = row.Line;
            batch.Add(row);
        }

        return batch;
    }

    private static void Fail(ImportResult result, ImportError error)
    {
        result.Failed++;
        if (result.Errors.Count < ImportResult.MaxReportedErrors)
        {
            result.Errors.Add(error);
        }
    }

    /// <summary>The registry lookups a row needs and that are not known yet: its home and the caller's rights there, its template.</summary>
    private async ValueTask PrefetchAsync(ImportItem item, Lookups lookups, Authorize authorize, CancellationToken cancellationToken)
    {
        if (item.Error is not null || !HandleName.TryParse(item.Handle, out var name, out _))
        {
            return;
        }

        var key = HomeKey(name);
        var homes = lookups.For(name);
        if (!homes.ContainsKey(key))
        {
            var served = await prefixes.FindHomeAsync(name, cancellationToken);
            homes[key] = served is null
                ? (null, new HandleException(ResponseCode.ServerNotResponsible, PrefixRegistry.NotServedMessage(name)))
                : (served.Key, await authorize(name, cancellationToken));
        }

        foreach (var value in item.Values!)
        {
            if (value.Index == TemplateReference.Index && value.Type == TemplateReference.ValueType
                && TemplateReference.TryParse(Encoding.UTF8.GetString(value.Data), out var reference, out _)
                && !lookups.Templates.ContainsKey(reference.ToString()))
            {
                lookups.Templates[reference.ToString()] = await templates.FindPublishedAsync(reference, cancellationToken);
            }
        }
    }

    /// <summary>Handles share their prefix's decision; an OID or GS1 key's home takes a lookup of its own.</summary>
    private static string HomeKey(HandleName name) => name.Scheme == IdentifierScheme.Handle ? name.HomePrefix.Key : name.Key;

    /// <summary>The checks a single write makes, on one row, with everything looked up; throws the refusal.</summary>
    private Row Check(ImportItem item, Lookups lookups, long now)
    {
        if (item.Error is not null)
        {
            throw new HandleException(ResponseCode.ProtocolError, item.Error);
        }

        if (!HandleName.TryParse(item.Handle, out var name, out var error))
        {
            throw new HandleException(ResponseCode.InvalidHandle, error);
        }

        var values = item.Values!;
        HandleValueRules.Validate(values, options.Value.MaxValueBytes, options.Value.MaxRecordBytes);
        if (values.Exists(v => v.Type == WellKnownTypes.Alias))
        {
            throw new HandleException(ResponseCode.InvalidValue, "aliases (HS_ALIAS) are not imported; register them one by one");
        }

        if (name.IsPrefixRecord(out _))
        {
            throw new HandleException(ResponseCode.InvalidValue, "prefix records (0.NA/...) administer a prefix; they are not imported but written one by one");
        }

        if (TemplateReference.From(values) is { } reference)
        {
            TemplateValidator.Ensure(reference, lookups.Templates.GetValueOrDefault(reference.ToString()), values);
        }

        var home = lookups.For(name)[HomeKey(name)];
        if (home.Refusal is not null)
        {
            throw home.Refusal;
        }

        var stamped = new List<HandleValue>(values.Count);
        foreach (var value in values)
        {
            stamped.Add(value with { Timestamp = now });
        }

        stamped.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return new Row(item.Line, name, name.Scheme == IdentifierScheme.Handle ? name.Prefix.Key : home.PrefixKey!, HandleValueCodec.Encode(stamped));
    }

    /// <summary>
    /// One batch in its own transaction on its own connection. Rows go in key order, so two batches written at once
    /// lock in the same order; a deadlock or serialization failure with another writer is retried.
    /// </summary>
    private async Task FlushOnOwnConnectionAsync(List<Row> batch, ImportResult result, Committed committed, CancellationToken cancellationToken)
    {
        batch.Sort(static (a, b) => string.CompareOrdinal(a.Name.Key, b.Name.Key));
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            try
            {
                await FlushAsync(scope.ServiceProvider.GetRequiredService<RegistryContext>(), batch, result, committed, [], cancellationToken);
                return;
            }
            catch (Exception e) when (attempt < 4 && RegistryFailure.IsConflict(e))
            {
                // rolled back whole: written again from the start
            }
        }
    }

    private async Task FlushAsync(RegistryContext db, List<Row> batch, ImportResult result, Committed? committed, Dictionary<string, long> pending, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var own = committed is not null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var inserted = db.Database.IsNpgsql() ? await CopyAsync(db, batch, cancellationToken) : await InsertAsync(db, batch, cancellationToken);
            var count = inserted.Values.Sum();
            if (own is null)
            {
                result.AddStored(count, batch.Count - count);
            }

            db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "handle.import", $"lines {batch[0].Line}-{batch[^1].Line}", null, null, null, $"rows={batch.Count} registered={count}"));
            await db.SaveChangesAsync(cancellationToken);
            if (own is not null)
            {
                // Once committed, the batch is counted and announced even if the caller has gone meanwhile.
                await own.CommitAsync(CancellationToken.None);
                result.AddStored(count, batch.Count - count);
                await committed!(inserted, result);
            }
            else
            {
                foreach (var (prefix, n) in inserted)
                {
                    pending[prefix] = pending.GetValueOrDefault(prefix) + n;
                }
            }
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }

            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// PostgreSQL: the batch's rows not registered yet, binary-copied straight into the table after one look for the
    /// keys that exist. Should another writer register one of them meanwhile, the copy fails (back to a savepoint)
    /// and the batch goes through <see cref="CopyViaStagingAsync"/> instead.
    /// </summary>
    private async Task<Dictionary<string, long>> CopyAsync(RegistryContext db, List<Row> batch, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
        var existing = await ExistingAsync(connection, batch, cancellationToken);
        var fresh = existing.Count == 0 ? batch : batch.FindAll(r => !existing.Contains(r.Name.Key));
        await transaction.SaveAsync("import_copy", cancellationToken);
        try
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY handles (key, handle, prefix, version, values, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var row in fresh)
                {
                    copy.StartRow();
                    copy.Write(row.Name.Key, NpgsqlDbType.Text);
                    copy.Write(row.Name.Display, NpgsqlDbType.Text);
                    copy.Write(row.PrefixKey, NpgsqlDbType.Text);
                    copy.Write(1L, NpgsqlDbType.Bigint);
                    copy.Write(row.Values, NpgsqlDbType.Bytea);
                    copy.Write(now, NpgsqlDbType.Bigint);
                    copy.Write(now, NpgsqlDbType.Bigint);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await transaction.ReleaseAsync("import_copy", cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await transaction.RollbackAsync("import_copy", cancellationToken);
            return await CopyViaStagingAsync(db, batch, cancellationToken);
        }

        var inserted = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in fresh)
        {
            inserted[row.PrefixKey] = inserted.GetValueOrDefault(row.PrefixKey) + 1;
        }

        return inserted;
    }

    private static async Task<HashSet<string>> ExistingAsync(NpgsqlConnection connection, List<Row> batch, CancellationToken cancellationToken)
    {
        var keys = new string[batch.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = batch[i].Name.Key;
        }

        await using var command = new NpgsqlCommand("SELECT key FROM handles WHERE key = ANY(@keys)", connection);
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", keys));
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            existing.Add(reader.GetString(0));
        }

        return existing;
    }

    /// <summary>PostgreSQL, when rows may collide: binary COPY into a session staging table, then one insert of those not yet registered.</summary>
    private async Task<Dictionary<string, long>> CopyViaStagingAsync(RegistryContext db, List<Row> batch, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.ExecuteSqlRawAsync(
            """
            CREATE TEMP TABLE IF NOT EXISTS import_staging (key text COLLATE "C", handle text, prefix text COLLATE "C", values bytea, created_at bigint);
            TRUNCATE import_staging;
            """,
            cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync("COPY import_staging (key, handle, prefix, values, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            // Synchronous writes into the importer's buffer (it goes to the socket only when full): an await per
            // column would cost more than the row itself.
            foreach (var row in batch)
            {
                copy.StartRow();
                copy.Write(row.Name.Key, NpgsqlDbType.Text);
                copy.Write(row.Name.Display, NpgsqlDbType.Text);
                copy.Write(row.PrefixKey, NpgsqlDbType.Text);
                copy.Write(row.Values, NpgsqlDbType.Bytea);
                copy.Write(now, NpgsqlDbType.Bigint);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        var inserted = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = connection.CreateCommand();
        command.Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = """
            WITH registered AS (
                INSERT INTO handles (key, handle, prefix, version, values, created_at, updated_at)
                SELECT key, handle, prefix, 1, values, created_at, created_at FROM import_staging
                ON CONFLICT (key) DO NOTHING
                RETURNING prefix)
            SELECT prefix, count(*) FROM registered GROUP BY prefix
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted[reader.GetString(0)] = reader.GetInt64(1);
        }

        return inserted;
    }

    /// <summary>SQLite: the rows not yet registered, inserted in one save.</summary>
    private async Task<Dictionary<string, long>> InsertAsync(RegistryContext db, List<Row> batch, CancellationToken cancellationToken)
    {
        var keys = batch.ConvertAll(r => r.Name.Key);
        var existing = (await db.Handles.AsNoTracking().Where(h => keys.Contains(h.Key)).Select(h => h.Key).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var inserted = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in batch)
        {
            if (existing.Contains(row.Name.Key))
            {
                continue;
            }

            db.Handles.Add(new StoredHandle { Key = row.Name.Key, Handle = row.Name.Display, Prefix = row.PrefixKey, Version = 1, Values = row.Values, CreatedAt = now, UpdatedAt = now });
            inserted[row.PrefixKey] = inserted.GetValueOrDefault(row.PrefixKey) + 1;
        }

        await db.SaveChangesAsync(cancellationToken);
        return inserted;
    }
}

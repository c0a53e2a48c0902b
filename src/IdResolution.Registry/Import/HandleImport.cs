using System.Diagnostics;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Schemes;
using IdResolution.Core.Templates;
using IdResolution.Core.Values;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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

    public long Imported { get; set; }

    public long Existing { get; set; }

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
public sealed class HandleImport(RegistryContext db, PrefixRegistry prefixes, TemplateStore templates, TimeProvider clock, WriteActor actor, IOptions<RegistryOptions> options)
{
    /// <summary>Decides whether the caller may register under a name's prefix: null when it may, else the refusal. Asked once per prefix.</summary>
    public delegate ValueTask<HandleException?> Authorize(HandleName name, CancellationToken cancellationToken);

    /// <summary>Told after each committed batch: newly registered identifiers per prefix.</summary>
    public delegate ValueTask Committed(IReadOnlyDictionary<string, long> registeredByPrefix, ImportResult progress);

    private sealed record Row(long Line, HandleName Name, string PrefixKey, byte[] Values);

    public async Task<ImportResult> ImportAsync(IAsyncEnumerable<ImportItem> items, ImportOptions importOptions, Authorize authorize, Committed committed, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = new ImportResult();
        var homes = new Dictionary<string, (string? PrefixKey, HandleException? Refusal)>(StringComparer.Ordinal);
        var batch = new List<Row>(importOptions.BatchSize);
        var inBatch = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var transaction = importOptions.AllOrNothing ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var pending = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            result.Read++;
            try
            {
                var row = await CheckAsync(item, homes, authorize, cancellationToken);
                if (inBatch.TryGetValue(row.Name.Key, out var first))
                {
                    throw new HandleException(ResponseCode.HandleAlreadyExists, $"{row.Name.Display} is already on line {first} of this import");
                }

                inBatch[row.Name.Key] = row.Line;
                batch.Add(row);
            }
            catch (HandleException e)
            {
                Fail(result, new ImportError(item.Line, item.Handle, e.Code, e.Message));
            }

            if (batch.Count >= importOptions.BatchSize)
            {
                await FlushAsync(batch, result, transaction is null ? committed : null, pending, cancellationToken);
                inBatch.Clear();
            }
        }

        await FlushAsync(batch, result, transaction is null ? committed : null, pending, cancellationToken);
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

    private static void Fail(ImportResult result, ImportError error)
    {
        result.Failed++;
        if (result.Errors.Count < ImportResult.MaxReportedErrors)
        {
            result.Errors.Add(error);
        }
    }

    /// <summary>The checks a single write makes, on one row; throws the refusal.</summary>
    private async ValueTask<Row> CheckAsync(
        ImportItem item, Dictionary<string, (string? PrefixKey, HandleException? Refusal)> homes, Authorize authorize, CancellationToken cancellationToken)
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

        if (TemplateReference.From(values) is { } reference)
        {
            var template = await templates.FindPublishedAsync(reference, cancellationToken)
                ?? throw new HandleException(ResponseCode.InvalidValue, $"template {reference} is not published on this node");
            if (TemplateValidator.Validate(template, values) is { Count: > 0 } violations)
            {
                throw new HandleException(ResponseCode.InvalidValue, string.Join("; ", violations.Select(v => v.Message))) { Violations = violations };
            }
        }

        var prefixKey = await HomeAsync(name, homes, authorize, cancellationToken);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var stamped = new List<HandleValue>(values.Count);
        foreach (var value in values)
        {
            stamped.Add(value with { Timestamp = now });
        }

        stamped.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return new Row(item.Line, name, prefixKey, HandleValueCodec.Encode(stamped));
    }

    /// <summary>The prefix (arc, company prefix) a name is stored under, once served and allowed; decided once per prefix.</summary>
    private async ValueTask<string> HomeAsync(
        HandleName name, Dictionary<string, (string? PrefixKey, HandleException? Refusal)> homes, Authorize authorize, CancellationToken cancellationToken)
    {
        var cacheKey = name.Scheme == IdentifierScheme.Handle ? name.HomePrefix.Key : null;
        if (cacheKey is null || !homes.TryGetValue(cacheKey, out var home))
        {
            var served = await prefixes.FindHomeAsync(name, cancellationToken);
            home = served is null
                ? (null, new HandleException(ResponseCode.ServerNotResponsible, PrefixRegistry.NotServedMessage(name)))
                : (served.Key, await authorize(name, cancellationToken));
            if (cacheKey is not null)
            {
                homes[cacheKey] = home;
            }
        }

        if (home.Refusal is not null)
        {
            throw home.Refusal;
        }

        return name.Scheme == IdentifierScheme.Handle ? name.Prefix.Key : home.PrefixKey!;
    }

    private async Task FlushAsync(List<Row> batch, ImportResult result, Committed? committed, Dictionary<string, long> pending, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var own = committed is not null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var inserted = db.Database.IsNpgsql() ? await CopyAsync(batch, cancellationToken) : await InsertAsync(batch, cancellationToken);
            var count = inserted.Values.Sum();
            result.Imported += count;
            result.Existing += batch.Count - count;
            db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "handle.import", $"lines {batch[0].Line}-{batch[^1].Line}", null, null, null, $"rows={batch.Count} registered={count}"));
            await db.SaveChangesAsync(cancellationToken);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
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
            batch.Clear();
        }
    }

    /// <summary>PostgreSQL: binary COPY into a session staging table, then one insert of the rows not yet registered.</summary>
    private async Task<Dictionary<string, long>> CopyAsync(List<Row> batch, CancellationToken cancellationToken)
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
    private async Task<Dictionary<string, long>> InsertAsync(List<Row> batch, CancellationToken cancellationToken)
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

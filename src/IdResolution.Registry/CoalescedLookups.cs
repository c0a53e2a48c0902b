using IdResolution.Core.Values;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace IdResolution.Registry;

/// <summary>
/// The resolve path's one-key lookups on the primary, sent together. A lookup goes out at once when no query is
/// running; the ones arriving meanwhile wait and go together in the next, up to <see cref="MaxKeys"/> a query. A
/// further query starts only when a full query's worth is waiting (load beyond what one query at a time carries, or
/// a query stuck on a lock), up to <see cref="RegistryOptions.LookupQueries"/> at once. An idle node thus sends each
/// lookup alone, as it comes; a busy one one statement per few dozen lookups, and a statement is most of what
/// PostgreSQL spends on a one-row lookup. Starting a query whenever a slot is free would split the waiting lookups
/// into small queries again: measured 14.0k resolves/s with two slots that way against 19.2k with one (bench/RESULTS.md).
/// Unlike Npgsql multiplexing, each query keeps its command timeout; a caller that gives up stops waiting, and the
/// query still answers the others.
/// </summary>
public sealed class CoalescedLookups(RegistryReadSource reads, RegistryCommandCounter commands, IOptions<RegistryOptions> options)
{
    /// <summary>Most keys a query asks for.</summary>
    public const int MaxKeys = 64;

    private readonly int _maxQueries = Math.Max(1, options.Value.LookupQueries);
    private readonly Lock _lock = new();
    private List<Lookup> _waiting = new(MaxKeys);
    private int _running;

    /// <summary>The record stored under <paramref name="key"/> (a normalised handle), or null.</summary>
    public Task<HandleRecord?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var lookup = new Lookup(key);
        bool start;
        lock (_lock)
        {
            _waiting.Add(lookup);
            start = _running == 0 || (_waiting.Count >= MaxKeys && _running < _maxQueries);
            if (start)
            {
                _running++;
            }
        }

        if (start)
        {
            // Not in the caller's context: the slot goes on sending other callers' lookups (and their spans would
            // otherwise all belong to the first caller's trace).
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(SendWhileWaitingAsync, CancellationToken.None);
            }
        }

        return lookup.Task.WaitAsync(cancellationToken);
    }

    /// <summary>One query slot: sends what is waiting, again and again, until nothing is.</summary>
    private async Task SendWhileWaitingAsync()
    {
        while (Take() is { } batch)
        {
            await SendAsync(batch);
        }
    }

    /// <summary>Up to <see cref="MaxKeys"/> waiting lookups, or null (and the slot freed) when none wait.</summary>
    private List<Lookup>? Take()
    {
        lock (_lock)
        {
            if (_waiting.Count == 0)
            {
                _running--;
                return null;
            }

            if (_waiting.Count <= MaxKeys)
            {
                var all = _waiting;
                _waiting = new List<Lookup>(MaxKeys);
                return all;
            }

            var first = _waiting.GetRange(0, MaxKeys);
            _waiting.RemoveRange(0, MaxKeys);
            return first;
        }
    }

    private async Task SendAsync(List<Lookup> batch)
    {
        try
        {
            var found = await QueryAsync(batch);
            foreach (var lookup in batch)
            {
                lookup.TrySetResult(found.GetValueOrDefault(lookup.Key));
            }
        }
        catch (Exception e)
        {
            foreach (var lookup in batch)
            {
                lookup.TrySetException(e);
            }
        }
    }

    private async Task<Dictionary<string, HandleRecord>> QueryAsync(List<Lookup> batch)
    {
        var keys = new string[batch.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = batch[i].Key;
        }

        // Not a caller's token: the query answers every lookup in it. Its command timeout bounds it.
        await using var connection = await reads.DataSource.OpenConnectionAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(HandleRegistry.PostgresFindMany, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = keys });
        commands.Sent();
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
        var found = new Dictionary<string, HandleRecord>(keys.Length, StringComparer.Ordinal);
        while (await reader.ReadAsync(CancellationToken.None))
        {
            found.TryAdd(reader.GetString(0), HandleRegistry.ReadRecord(reader, 1));
        }

        return found;
    }

    private sealed class Lookup(string key) : TaskCompletionSource<HandleRecord?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Key { get; } = key;
    }
}

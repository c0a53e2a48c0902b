using System.Diagnostics;
using IdResolution.Core.Values;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace IdResolution.Registry;

/// <summary>
/// The resolve path's one-key lookups on the primary, sent together. A lookup goes out at once when no query is
/// running; the ones arriving meanwhile wait and go together in the next, up to <see cref="MaxKeys"/> a query. A
/// further query starts only when a full query's worth is waiting (load beyond what one query at a time carries) or
/// when every running query has run longer than <see cref="RegistryOptions.LookupStallAfter"/> (stuck on a lock or a
/// dead connection; checked as lookups arrive and by a timer while they wait), up to
/// <see cref="RegistryOptions.LookupQueries"/> at once; such an extra query stops once it has nothing full to send.
/// An idle node thus sends each lookup alone, as it comes; a busy one one statement per few dozen lookups, and a
/// statement is most of what PostgreSQL spends on a one-row lookup. Starting a query whenever a slot is free would
/// split the waiting lookups into small queries again: measured 14.0k resolves/s with two slots that way against
/// 19.2k with one (bench/RESULTS.md). Unlike Npgsql multiplexing, each query keeps its command timeout; a caller
/// that gives up is answered at once and left out of the next query.
/// </summary>
public sealed class CoalescedLookups : IDisposable
{
    /// <summary>Most keys a query asks for.</summary>
    public const int MaxKeys = 64;

    private readonly RegistryReadSource _reads;
    private readonly RegistryCommandCounter _commands;
    private readonly int _maxQueries;
    private readonly TimeSpan _stallAfter;
    private readonly ITimer _stallCheck;
    private readonly Lock _lock = new();
    private readonly List<long> _queriesStarted = [];
    private List<Lookup> _waiting = new(MaxKeys);
    private int _running;
    private bool _stallCheckArmed;
    private long _queries;

    public CoalescedLookups(RegistryReadSource reads, RegistryCommandCounter commands, IOptions<RegistryOptions> options)
    {
        (_reads, _commands) = (reads, commands);
        _maxQueries = Math.Max(1, options.Value.LookupQueries);
        _stallAfter = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, options.Value.LookupStallAfter.Ticks));
        _stallCheck = TimeProvider.System.CreateTimer(static self => ((CoalescedLookups)self!).CheckStall(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Queries sent so far (each answers one or more lookups).</summary>
    public long QueriesSent => Interlocked.Read(ref _queries);

    /// <summary>The record stored under <paramref name="key"/> (a normalised handle), or null.</summary>
    public Task<HandleRecord?> FindAsync(string key, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<HandleRecord?>(cancellationToken);
        }

        var lookup = new Lookup(key, cancellationToken);
        var start = false;
        List<Lookup>? share = null;
        lock (_lock)
        {
            _waiting.Add(lookup);
            if (_running == 0)
            {
                start = true;
            }
            else if (_running < _maxQueries && (_waiting.Count >= MaxKeys || Stalled()))
            {
                // An extra query takes its share now: started for what waits, it must not find it gone to another.
                DropAbandoned();
                (start, share) = (true, TakeWaiting());
            }

            if (start)
            {
                _running++;
            }
            else
            {
                ArmStallCheck();
            }
        }

        if (start)
        {
            StartSlot(share);
        }

        return lookup.Task;
    }

    public void Dispose() => _stallCheck.Dispose();

    private void StartSlot(List<Lookup>? share) =>
        // Not in the caller's execution context: the slot goes on sending other callers' lookups.
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Self.SendWhileWaitingAsync(state.Share), (Self: this, Share: share), preferLocal: false);

    /// <summary>Every running query has run longer than <see cref="RegistryOptions.LookupStallAfter"/>: none is about to take the waiting lookups. Under the lock.</summary>
    private bool Stalled()
    {
        if (_queriesStarted.Count == 0)
        {
            return false;
        }

        var newest = long.MinValue;
        foreach (var started in _queriesStarted)
        {
            newest = Math.Max(newest, started);
        }

        return Stopwatch.GetElapsedTime(newest) > _stallAfter;
    }

    /// <summary>Looks again when the running queries would count as stalled, for lookups that no new arrival rescues. Under the lock.</summary>
    private void ArmStallCheck()
    {
        if (!_stallCheckArmed)
        {
            _stallCheckArmed = true;
            _stallCheck.Change(_stallAfter, Timeout.InfiniteTimeSpan);
        }
    }

    private void CheckStall()
    {
        List<Lookup>? share = null;
        lock (_lock)
        {
            _stallCheckArmed = false;
            DropAbandoned();
            if (_waiting.Count == 0)
            {
                return;
            }

            if (_running < _maxQueries && Stalled())
            {
                share = TakeWaiting();
                _running++;
            }
            else
            {
                ArmStallCheck();
            }
        }

        if (share is not null)
        {
            StartSlot(share);
        }
    }

    /// <summary>
    /// One query slot: sends <paramref name="share"/> if it was given one, then what is waiting, again and again,
    /// until nothing is (or, for an extra slot, nothing full).
    /// </summary>
    private async Task SendWhileWaitingAsync(List<Lookup>? share)
    {
        if (share is not null)
        {
            await SendAsync(share);
        }

        while (Take() is { } batch)
        {
            await SendAsync(batch);
        }
    }

    /// <summary>Up to <see cref="MaxKeys"/> waiting lookups still wanted, or null (and the slot freed).</summary>
    private List<Lookup>? Take()
    {
        lock (_lock)
        {
            DropAbandoned();
            if (_waiting.Count == 0 || (_running > 1 && _waiting.Count < MaxKeys && !Stalled()))
            {
                _running--;
                return null;
            }

            return TakeWaiting();
        }
    }

    /// <summary>Forgets the waiting lookups whose callers gave up. Under the lock.</summary>
    private void DropAbandoned() => _waiting.RemoveAll(static lookup => lookup.Task.IsCompleted);

    /// <summary>Up to <see cref="MaxKeys"/> of the waiting lookups. Under the lock.</summary>
    private List<Lookup> TakeWaiting()
    {
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

    private async Task SendAsync(List<Lookup> batch)
    {
        var started = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            _queriesStarted.Add(started);
        }

        try
        {
            var found = await QueryAsync(batch);
            foreach (var lookup in batch)
            {
                lookup.Answer(found.GetValueOrDefault(lookup.Key));
            }
        }
        catch (Exception e)
        {
            foreach (var lookup in batch)
            {
                lookup.Fail(e);
            }
        }
        finally
        {
            lock (_lock)
            {
                _queriesStarted.Remove(started);
            }
        }
    }

    /// <summary>The rows of the batch's keys; a row that cannot be read fails only the lookups of its key.</summary>
    private async Task<Dictionary<string, HandleRecord>> QueryAsync(List<Lookup> batch)
    {
        var distinct = new HashSet<string>(batch.Count, StringComparer.Ordinal);
        foreach (var lookup in batch)
        {
            distinct.Add(lookup.Key);
        }

        using var activity = StartActivity(batch);

        // Not a caller's token: the query answers every lookup in it. Its command timeout bounds it.
        await using var connection = await _reads.DataSource.OpenConnectionAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(HandleRegistry.PostgresFindMany, connection);
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. distinct] });
        Interlocked.Increment(ref _queries);
        _commands.Sent();
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
        var found = new Dictionary<string, HandleRecord>(distinct.Count, StringComparer.Ordinal);
        while (await reader.ReadAsync(CancellationToken.None))
        {
            var key = reader.GetString(0);
            try
            {
                found[key] = HandleRegistry.ReadRecord(reader, 1);
            }
            catch (FormatException e)
            {
                foreach (var lookup in batch)
                {
                    if (lookup.Key == key)
                    {
                        lookup.Fail(e);
                    }
                }
            }
        }

        return found;
    }

    /// <summary>The spans of the registry reads (see <see cref="StartActivity"/>); traced with the node's other sources.</summary>
    public const string ActivitySourceName = "IdResolution.Registry";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>
    /// A span for the query, in the trace of its first caller and linked to every caller's: the query runs outside the
    /// callers' contexts (it answers them all), and its database span is this one's child.
    /// </summary>
    private static Activity? StartActivity(List<Lookup> batch)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>(batch.Count);
        foreach (var lookup in batch)
        {
            if (lookup.Caller != default)
            {
                links.Add(new ActivityLink(lookup.Caller));
            }
        }

        var activity = Source.StartActivity("registry lookup", ActivityKind.Internal, batch[0].Caller, links: links);
        activity?.SetTag("idres.lookup.keys", batch.Count);
        return activity;
    }

    /// <summary>A caller's lookup: answered by its query, or cancelled at once when the caller gives up.</summary>
    private sealed class Lookup : TaskCompletionSource<HandleRecord?>
    {
        private readonly CancellationTokenRegistration _cancellation;

        public Lookup(string key, CancellationToken cancellationToken)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Key = key;
            Caller = Activity.Current?.Context ?? default;
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((Lookup)state!).TrySetCanceled(token), this);
        }

        public string Key { get; }

        /// <summary>The caller's span, if it is traced.</summary>
        public ActivityContext Caller { get; }

        public void Answer(HandleRecord? record)
        {
            TrySetResult(record);
            _cancellation.Dispose();
        }

        /// <summary>Fails the lookup unless it is already over (a caller that gave up sees no failure it would not observe).</summary>
        public void Fail(Exception error)
        {
            TrySetException(error);
            _cancellation.Dispose();
        }
    }
}

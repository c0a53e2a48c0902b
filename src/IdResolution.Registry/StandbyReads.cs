using System.Collections.Concurrent;
using IdResolution.Core.Handles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdResolution.Registry;

/// <summary>
/// Where the resolve path reads the registry: a PostgreSQL standby when one is configured (<c>ConnectionStrings:RegistryRead</c>,
/// which may name several hosts), else the primary. The primary still answers:
/// <list type="bullet">
/// <item>keys written in the last <see cref="Window"/>, here or on any node (the cache invalidation that every write
/// sends tells them), so that a writer reads its own write at once; after a bulk write (an import, an unhomed prefix)
/// every "not found" the standby gives is asked again of the primary for that long;</item>
/// <item>everything, until the standby has shown, by comparing its replay position with the primary's WAL position
/// every second, that it is at most <see cref="RegistryOptions.MaxStandbyLag"/> behind; and for a while after a standby
/// read fails, which is then retried on the primary: a standby lost mid-load fails no resolve.</item>
/// </list>
/// </summary>
public sealed partial class StandbyReads : IHandleWriteListener, IDisposable
{
    private static readonly TimeSpan LagCheckEvery = TimeSpan.FromSeconds(1);
    private readonly IDbContextFactory<PostgresStandbyContext>? _standby;
    private readonly IServiceScopeFactory _scopes;
    private readonly RegistryOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<StandbyReads> _logger;
    private readonly ConcurrentDictionary<string, long> _written = new(StringComparer.Ordinal);
    private readonly Queue<(long At, long Lsn)> _primaryPositions = new();
    private readonly ITimer? _lagCheck;
    private int _writtenCount;
    private int _checking;
    private long _negativesFromPrimaryUntil;

    // Out of rotation until the first lag check has shown the standby current.
    private long _standbyOutUntil = long.MaxValue;

    public StandbyReads(IServiceProvider services, IServiceScopeFactory scopes, IOptions<RegistryOptions> options, TimeProvider clock, ILogger<StandbyReads> logger)
    {
        _standby = services.GetService<IDbContextFactory<PostgresStandbyContext>>();
        _scopes = scopes;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _lagCheck = _standby is null ? null : clock.CreateTimer(_ => _ = CheckLagAsync(), null, TimeSpan.Zero, LagCheckEvery);
    }

    /// <summary>
    /// How long a written key is read from the primary: the configured window, but never less than the lag a standby in
    /// rotation may have plus two lag checks, or a key could be read from a standby that has not replayed its write yet.
    /// </summary>
    public TimeSpan Window => TimeSpan.FromTicks(Math.Max(_options.ReadYourWritesWindow.Ticks, (_options.MaxStandbyLag + (3 * LagCheckEvery)).Ticks));

    /// <summary>Whether reads go to a standby now (one is configured, in rotation).</summary>
    public bool StandbyInRotation => _standby is not null && _clock.GetTimestamp() >= Interlocked.Read(ref _standbyOutUntil);

    /// <summary>After a bulk write: a "not found" read from the standby must be asked again of the primary.</summary>
    public bool RecheckNegatives => _standby is not null && _clock.GetTimestamp() < Interlocked.Read(ref _negativesFromPrimaryUntil);

    public Task HandleWrittenAsync(HandleName name, HandleChange change, CancellationToken cancellationToken)
    {
        Written(name.Key);
        return Task.CompletedTask;
    }

    /// <summary>A key was written (here or on another node): read it from the primary for the window.</summary>
    public void Written(string key)
    {
        if (_standby is null)
        {
            return;
        }

        if (_written.TryAdd(key, Until(Window)))
        {
            Interlocked.Increment(ref _writtenCount);
        }
        else
        {
            _written[key] = Until(Window);
        }
    }

    /// <summary>Many keys were created or unserved at once (a bulk import, an unhomed prefix): recheck "not found" answers for the window.</summary>
    public void WrittenInBulk()
    {
        if (_standby is not null)
        {
            Interlocked.Exchange(ref _negativesFromPrimaryUntil, Until(Window));
        }
    }

    /// <summary>
    /// Runs a read of <paramref name="keys"/> on the standby when it may answer all of them, else (or if the standby fails)
    /// on the primary: the scope's own <see cref="HandleRegistry"/> and <see cref="PrefixRegistry"/>. Null keys: the primary.
    /// A standby answer <paramref name="incomplete"/> says may lack a bulk write's rows (a "not found") is read again from
    /// the primary while <see cref="RecheckNegatives"/>.
    /// </summary>
    public async Task<T> ReadAsync<T>(
        IServiceProvider scope, IEnumerable<string>? keys, Func<HandleRegistry, PrefixRegistry, Task<T>> read, Func<T, bool> incomplete, CancellationToken cancellationToken)
    {
        if (keys is not null && StandbyInRotation && !AnyRecentlyWritten(keys))
        {
            try
            {
                await using var db = await _standby!.CreateDbContextAsync(cancellationToken);
                var prefixes = ActivatorUtilities.CreateInstance<PrefixRegistry>(scope, db);
                var answer = await read(ActivatorUtilities.CreateInstance<HandleRegistry>(scope, db, prefixes), prefixes);
                if (!RecheckNegatives || !incomplete(answer))
                {
                    return answer;
                }
            }
            catch (Exception e) when (RegistryFailure.Is(e) || e is Npgsql.PostgresException)
            {
                // Out until a lag check finds it again (Npgsql may also find another standby); this read goes to the primary.
                TakeOut();
                LogStandbyFailed(_logger, e.Message);
            }
        }

        return await read(scope.GetRequiredService<HandleRegistry>(), scope.GetRequiredService<PrefixRegistry>());
    }

    private bool AnyRecentlyWritten(IEnumerable<string> keys)
    {
        var now = _clock.GetTimestamp();
        foreach (var key in keys)
        {
            if (_written.TryGetValue(key, out var until) && now < until)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Notes the primary's WAL position each second; the standby's lag is the age of the oldest noted position it has not
    /// replayed yet (zero when it has replayed them all). This sees a standby that stopped receiving as well as one that
    /// replays slowly, and a quiet primary (no new WAL) never makes a standby look behind. One check at a time.
    /// </summary>
    private async Task CheckLagAsync()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(LagCheckEvery * 2);
            var primaryDown = !await NotePrimaryPositionAsync(timeout.Token);

            await using var standby = await _standby!.CreateDbContextAsync(timeout.Token);
            var replayed = await standby.Database.SqlQueryRaw<long?>("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS \"Value\"").SingleAsync(timeout.Token);
            while (_primaryPositions.Count > 0 && replayed >= _primaryPositions.Peek().Lsn)
            {
                _primaryPositions.Dequeue();
            }

            // With the primary down nothing new is written: the standby's copy is the best there is.
            var lag = _primaryPositions.Count == 0 || primaryDown ? TimeSpan.Zero : _clock.GetElapsedTime(_primaryPositions.Peek().At);
            if (lag > _options.MaxStandbyLag || replayed is null)
            {
                TakeOut();
                LogStandbyLagging(_logger, lag.TotalSeconds);
            }
            else
            {
                Interlocked.Exchange(ref _standbyOutUntil, 0);
            }
        }
        catch (Exception e) when (RegistryFailure.Is(e) || e is Npgsql.PostgresException or InvalidOperationException or OperationCanceledException)
        {
            TakeOut();
        }
        finally
        {
            Forget();
            Volatile.Write(ref _checking, 0);
        }
    }

    /// <summary>Notes the primary's WAL position now; false when the primary cannot be reached.</summary>
    private async Task<bool> NotePrimaryPositionAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var primary = scope.ServiceProvider.GetRequiredService<RegistryContext>();
            var position = await primary.Database.SqlQueryRaw<long>("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS \"Value\"").SingleAsync(cancellationToken);
            _primaryPositions.Enqueue((_clock.GetTimestamp(), position));
            return true;
        }
        catch (Exception e) when (RegistryFailure.Is(e) || e is OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Out of rotation until a lag check shows the standby current again.</summary>
    private void TakeOut() => Interlocked.Exchange(ref _standbyOutUntil, long.MaxValue);

    private long Until(TimeSpan span) => _clock.GetTimestamp() + (long)(span.TotalSeconds * _clock.TimestampFrequency);

    private void Forget()
    {
        if (Volatile.Read(ref _writtenCount) == 0)
        {
            return;
        }

        var now = _clock.GetTimestamp();
        foreach (var (key, until) in _written)
        {
            if (until <= now && _written.TryRemove(new KeyValuePair<string, long>(key, until)))
            {
                Interlocked.Decrement(ref _writtenCount);
            }
        }
    }

    public void Dispose() => _lagCheck?.Dispose();

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "A standby read failed ({Reason}); reading from the primary until the standby is checked current")]
    private static partial void LogStandbyFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "The standby is {Seconds:0.#} s behind the primary (or has replayed nothing); reading from the primary until it catches up")]
    private static partial void LogStandbyLagging(ILogger logger, double seconds);
}

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
/// <item>keys written in the last <see cref="RegistryOptions.ReadYourWritesWindow"/>, here or on any node (the cache
/// invalidation that every write sends tells them), so that a writer reads its own write at once;</item>
/// <item>everything, while the standby lags more than <see cref="RegistryOptions.MaxStandbyLag"/> (checked every second)
/// or has just failed a read, which is then retried on the primary: a standby lost mid-load fails no resolve.</item>
/// </list>
/// </summary>
public sealed partial class StandbyReads : IHandleWriteListener, IDisposable
{
    private static readonly TimeSpan LagCheckEvery = TimeSpan.FromSeconds(1);
    private readonly IDbContextFactory<PostgresStandbyContext>? _standby;
    private readonly RegistryOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<StandbyReads> _logger;
    private readonly ConcurrentDictionary<string, long> _written = new(StringComparer.Ordinal);
    private readonly ITimer? _lagCheck;
    private long _everythingWrittenUntil;
    private long _standbyOutUntil;

    public StandbyReads(IServiceProvider services, IOptions<RegistryOptions> options, TimeProvider clock, ILogger<StandbyReads> logger)
    {
        _standby = services.GetService<IDbContextFactory<PostgresStandbyContext>>();
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _lagCheck = _standby is null ? null : clock.CreateTimer(_ => _ = CheckLagAsync(), null, TimeSpan.Zero, LagCheckEvery);
    }

    /// <summary>Whether reads go to a standby now (one is configured, in rotation).</summary>
    public bool StandbyInRotation => _standby is not null && _clock.GetTimestamp() >= Volatile.Read(ref _standbyOutUntil);

    public Task HandleWrittenAsync(HandleName name, HandleChange change, CancellationToken cancellationToken)
    {
        Written(name.Key);
        return Task.CompletedTask;
    }

    /// <summary>A key was written (here or on another node): read it from the primary for the window.</summary>
    public void Written(string key)
    {
        if (_standby is not null)
        {
            _written[key] = _clock.GetTimestamp() + Ticks(_options.ReadYourWritesWindow);
            if (_written.Count > 100_000)
            {
                Forget();
            }
        }
    }

    /// <summary>Many keys were written at once (a bulk import): read everything from the primary for the window.</summary>
    public void WrittenEverything()
    {
        if (_standby is not null)
        {
            Volatile.Write(ref _everythingWrittenUntil, _clock.GetTimestamp() + Ticks(_options.ReadYourWritesWindow));
        }
    }

    /// <summary>
    /// Runs a read of <paramref name="keys"/> on the standby when it may answer all of them, else (or if the standby fails)
    /// on the primary: the scope's own <see cref="HandleRegistry"/> and <see cref="PrefixRegistry"/>. Null keys: the primary.
    /// </summary>
    public async Task<T> ReadAsync<T>(IServiceProvider scope, IEnumerable<string>? keys, Func<HandleRegistry, PrefixRegistry, Task<T>> read, CancellationToken cancellationToken)
    {
        if (keys is null || !StandbyInRotation || AnyRecentlyWritten(keys))
        {
            return await read(scope.GetRequiredService<HandleRegistry>(), scope.GetRequiredService<PrefixRegistry>());
        }

        try
        {
            await using var db = await _standby!.CreateDbContextAsync(cancellationToken);
            var prefixes = ActivatorUtilities.CreateInstance<PrefixRegistry>(scope, db);
            return await read(ActivatorUtilities.CreateInstance<HandleRegistry>(scope, db, prefixes), prefixes);
        }
        catch (Exception e) when (RegistryFailure.Is(e) || e is Npgsql.PostgresException)
        {
            // Out for a while (new connections may find it back, or Npgsql another standby); this read goes to the primary.
            TakeOut(LagCheckEvery * 5);
            LogStandbyFailed(_logger, e.Message);
            return await read(scope.GetRequiredService<HandleRegistry>(), scope.GetRequiredService<PrefixRegistry>());
        }
    }

    private bool AnyRecentlyWritten(IEnumerable<string> keys)
    {
        var now = _clock.GetTimestamp();
        if (now < Volatile.Read(ref _everythingWrittenUntil))
        {
            return true;
        }

        foreach (var key in keys)
        {
            if (_written.TryGetValue(key, out var until) && now < until)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replay lag: how long since the last replayed transaction, when WAL received is still waiting to be replayed.</summary>
    private async Task CheckLagAsync()
    {
        try
        {
            await using var db = await _standby!.CreateDbContextAsync();
            var lag = await db.Database.SqlQueryRaw<double>(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                + "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS \"Value\"").SingleAsync();
            if (lag > _options.MaxStandbyLag.TotalSeconds)
            {
                TakeOut(LagCheckEvery * 2);
                LogStandbyLagging(_logger, lag);
            }
        }
        catch (Exception e) when (RegistryFailure.Is(e) || e is Npgsql.PostgresException or InvalidOperationException)
        {
            TakeOut(LagCheckEvery * 2);
        }

        Forget();
    }

    private void TakeOut(TimeSpan duration) => Volatile.Write(ref _standbyOutUntil, _clock.GetTimestamp() + Ticks(duration));

    private void Forget()
    {
        var now = _clock.GetTimestamp();
        foreach (var (key, until) in _written)
        {
            if (until <= now)
            {
                _written.TryRemove(new KeyValuePair<string, long>(key, until));
            }
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _clock.TimestampFrequency);

    public void Dispose() => _lagCheck?.Dispose();

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "A standby read failed ({Reason}); reading from the primary for now")]
    private static partial void LogStandbyFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "The standby is {Seconds:0.#} s behind; reading from the primary until it catches up")]
    private static partial void LogStandbyLagging(ILogger logger, double seconds);
}

using System.Globalization;
using IdResolution.Registry;

namespace IdResolution.Server.Statistics;

/// <summary>
/// Adds the node's counts to the registry every <c>Statistics:FlushInterval</c> (default 5 s) and at shutdown.
/// Counts that cannot be stored (registry down) are kept for the next flush, so none is lost while the node runs.
/// </summary>
public sealed partial class StatisticsFlusher(PrefixCounters counters, IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ILogger<StatisticsFlusher> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public static int Today(TimeProvider clock) => int.Parse(clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Statistics:FlushInterval", TimeSpan.FromSeconds(5)), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            counters.Roll(Today(clock));
            var deltas = counters.Take();
            if (deltas.Count == 0)
            {
                return;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<StatisticsStore>().AddAsync(deltas, cancellationToken);
            }
            catch (Exception e)
            {
                counters.Restore(deltas);
                LogFlushFailed(logger, deltas.Count, e);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs a read of stored plus pending figures with no flush in between: a flush moves counts from memory to
    /// the registry, and a read across it would see them in neither place or in both.
    /// </summary>
    public async Task<T> ReadConsistentlyAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await read();
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Could not store statistics for {Prefixes} prefixes; kept for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, int prefixes, Exception exception);
}

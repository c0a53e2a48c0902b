using IdResolution.Core.Handles;
using IdResolution.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// Delivers the filing outbox to the top-level node. A row says "prefix P changed here"; what is sent is P's state at
/// delivery time (served: file it; not served: unfile it), so rows delivered late, twice, out of order or by two nodes
/// sharing the registry still leave the top-level node right once the last one is through. Failed deliveries are
/// retried with a growing delay (refusals the top-level node will repeat, at the longest delay) without holding up others.
/// At start, every served prefix is queued once, to put right whatever changed while this node was not filing.
/// </summary>
public sealed partial class FilingDelivery(
    IServiceScopeFactory scopes, TopLevelClient topLevel, FilingNotice notice, IOptions<HierarchyOptions> options, TimeProvider clock, ILogger<FilingDelivery> logger)
    : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Files)
        {
            return;
        }

        var refiled = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!refiled)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<PrefixRegistry>().QueueRefilingAsync(stoppingToken);
                    refiled = true;
                }

                while (await DeliverDueAsync(stoppingToken) == Batch)
                {
                }

                await notice.WaitAsync(options.Value.FilingPoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong (the registry away, a bug), delivery goes on at the next poll; the node keeps serving.
                LogDeliveryFailed(logger, e);
                await Task.Delay(options.Value.FilingPoll, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Delivers the due rows, one delivery per prefix; returns how many rows were due.</summary>
    private async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryContext>();
        var prefixes = scope.ServiceProvider.GetRequiredService<PrefixRegistry>();
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var due = await db.Filings.Where(f => f.DeliveredAt == null && f.NextAttemptAt <= now).OrderBy(f => f.Id).Take(Batch).ToListAsync(cancellationToken);
        foreach (var rows in due.GroupBy(f => PrefixName.Parse(f.Prefix).Key))
        {
            var prefix = PrefixName.Parse(rows.First().Prefix);
            var file = await prefixes.IsServedAsync(prefix, cancellationToken);
            var attempt = rows.Max(f => f.Attempts) + 1;
            try
            {
                await topLevel.DeliverAsync(prefix.Display, file, cancellationToken);
                var at = clock.GetUtcNow().ToUnixTimeSeconds();
                foreach (var row in rows)
                {
                    (row.Attempts, row.DeliveredAt, row.LastError) = (attempt, at, null);
                }

                LogDelivered(logger, file ? "file" : "unfile", prefix.Display, attempt);
            }
            catch (Exception e) when (e is HttpRequestException or TopLevelRefusalException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var delay = e is TopLevelRefusalException { Permanent: true } ? (long)options.Value.MaxRetryDelay.TotalSeconds : RetryDelaySeconds(attempt);
                foreach (var row in rows)
                {
                    (row.Attempts, row.LastError, row.NextAttemptAt) = (attempt, e.Message, now + delay);
                }

                LogNotDelivered(logger, file ? "file" : "unfile", prefix.Display, attempt, e.Message);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        return due.Count;
    }

    /// <summary>1, 2, 4, ... seconds, up to <see cref="HierarchyOptions.MaxRetryDelay"/>.</summary>
    private long RetryDelaySeconds(int attempts) =>
        (long)Math.Min(Math.Pow(2, Math.Min(attempts - 1, 30)), Math.Max(1, options.Value.MaxRetryDelay.TotalSeconds));

    [LoggerMessage(EventId = 810, Level = LogLevel.Information, Message = "Filing ({Action}) of {Prefix} acknowledged by the top-level node (attempt {Attempts})")]
    private static partial void LogDelivered(ILogger logger, string action, string prefix, int attempts);

    [LoggerMessage(EventId = 811, Level = LogLevel.Warning, Message = "Filing ({Action}) of {Prefix} not delivered (attempt {Attempts}): {Reason}; will retry")]
    private static partial void LogNotDelivered(ILogger logger, string action, string prefix, int attempts, string reason);

    [LoggerMessage(EventId = 812, Level = LogLevel.Warning, Message = "Filing delivery failed; will retry")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception);
}

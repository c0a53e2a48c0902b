using IdResolution.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// Delivers the filing outbox to the top-level node: pending rows in the order written (a prefix's later filings wait
/// for its earlier ones), each retried with a growing delay until acknowledged. Filing and unfiling are idempotent on
/// the top-level node, so a delivery repeated (after a crash, or by two nodes sharing the registry) does no harm.
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

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
                await notice.WaitAsync(options.Value.FilingPoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (RegistryFailure.Is(e))
            {
                LogRegistryUnavailable(logger, e);
                await Task.Delay(options.Value.FilingPoll, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryContext>();
        var pending = await db.Filings.Where(f => f.DeliveredAt == null).OrderBy(f => f.Id).Take(Batch).ToListAsync(cancellationToken);
        var waiting = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var filing in pending)
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (waiting.Contains(filing.Prefix) || filing.NextAttemptAt > now)
            {
                waiting.Add(filing.Prefix);
                continue;
            }

            filing.Attempts++;
            try
            {
                await topLevel.DeliverAsync(filing, cancellationToken);
                (filing.DeliveredAt, filing.LastError) = (clock.GetUtcNow().ToUnixTimeSeconds(), null);
                LogDelivered(logger, filing.Action, filing.Prefix, filing.Attempts);
            }
            catch (Exception e) when (e is HttpRequestException or TopLevelRefusalException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                filing.LastError = e.Message;
                filing.NextAttemptAt = now + RetryDelaySeconds(filing.Attempts);
                waiting.Add(filing.Prefix);
                LogNotDelivered(logger, filing.Action, filing.Prefix, filing.Attempts, e.Message);
            }

            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>1, 2, 4, ... seconds, up to <see cref="HierarchyOptions.MaxRetryDelay"/>.</summary>
    private long RetryDelaySeconds(int attempts) =>
        (long)Math.Min(Math.Pow(2, Math.Min(attempts - 1, 30)), Math.Max(1, options.Value.MaxRetryDelay.TotalSeconds));

    [LoggerMessage(EventId = 810, Level = LogLevel.Information, Message = "Filing {Action} {Prefix} acknowledged by the top-level node (attempt {Attempts})")]
    private static partial void LogDelivered(ILogger logger, string action, string prefix, int attempts);

    [LoggerMessage(EventId = 811, Level = LogLevel.Warning, Message = "Filing {Action} {Prefix} not delivered (attempt {Attempts}): {Reason}; will retry")]
    private static partial void LogNotDelivered(ILogger logger, string action, string prefix, int attempts, string reason);

    [LoggerMessage(EventId = 812, Level = LogLevel.Warning, Message = "Filing delivery cannot read the registry; will retry")]
    private static partial void LogRegistryUnavailable(ILogger logger, Exception exception);
}

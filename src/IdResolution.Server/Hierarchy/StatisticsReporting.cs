using IdResolution.Core.Handles;
using IdResolution.Registry;
using IdResolution.Server.Statistics;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// Sends this node's registration and resolution figures (per prefix, for each of the last seven days) to the top-level node on a
/// schedule. Whole-day figures replace what the top-level node holds for the day, so a lost or repeated report corrects itself.
/// </summary>
public sealed partial class StatisticsReporting(
    IServiceScopeFactory scopes, TopLevelClient topLevel, IOptions<HierarchyOptions> options, TimeProvider clock, ILogger<StatisticsReporting> logger)
    : BackgroundService
{
    private const int MaxRowsPerReport = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Files)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.ReportEvery, clock);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await ReportAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogNotReported(logger, e.Message);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var today = clock.GetUtcNow().UtcDateTime;
        var rows = await scope.ServiceProvider.GetRequiredService<StatisticsReport>().QueryAsync(
            null, today.AddDays(-6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), null, cancellationToken);
        var figures = new List<DayFigures>(rows.Count);
        foreach (var row in rows)
        {
            // Handle prefixes only: OID arcs and GS1 company prefixes are not filed with the top-level node.
            if (PrefixName.TryParse(row.Prefix, out var prefix, out _) && prefix.Scheme == Core.Schemes.IdentifierScheme.Handle)
            {
                figures.Add(new DayFigures(row.Prefix, StatisticsReport.FormatDay(row.Day), row.Resolutions, row.Registrations, row.Updates, row.Deletions));
            }
        }

        foreach (var chunk in figures.Chunk(MaxRowsPerReport))
        {
            await topLevel.ReportAsync(new StatisticsUpload(chunk), cancellationToken);
        }
    }

    [LoggerMessage(EventId = 820, Level = LogLevel.Warning, Message = "Statistics not reported to the top-level node: {Reason}; the next report carries them")]
    private static partial void LogNotReported(ILogger logger, string reason);
}

using IdResolution.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdResolution.Server.Dashboard;

/// <summary>
/// Keeps the dashboard's figures fresh in the background: the timeline moves on every second on its own
/// loop, health (every 5 s) and registry size (every 30 s) are refreshed on another, each bounded by a timeout,
/// so a slow or failing registry never stalls the timeline, and nothing here can stop the node.
/// </summary>
public sealed partial class DashboardState(ResolveTimeline timeline, HealthCheckService health, IServiceScopeFactory scopes, ILogger<DashboardState> logger)
    : BackgroundService
{
    private static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(4);

    public HealthReport? Health { get; private set; }

    public long? RegistrySize { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(TickAsync(stoppingToken), RefreshAsync(stoppingToken));

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), timeline.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                timeline.Tick();
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5), timeline.Clock);
        var round = 0;
        do
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(RefreshTimeout);
                Health = await health.CheckHealthAsync(c => c.Tags.Contains(Telemetry.NodeTelemetry.ReadyTag), timeout.Token);
                if (round++ % 6 == 0)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    RegistrySize = await scope.ServiceProvider.GetRequiredService<HandleRegistry>().CountAsync(timeout.Token);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
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

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Dashboard figures could not be refreshed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}

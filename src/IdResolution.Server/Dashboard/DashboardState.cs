using IdResolution.Registry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdResolution.Server.Dashboard;

/// <summary>
/// Keeps the dashboard's slow figures fresh in the background (health every 5 s, registry size every 30 s)
/// and moves the timeline on every second, so that a dashboard request costs the node only the reading.
/// </summary>
public sealed partial class DashboardState(ResolveTimeline timeline, HealthCheckService health, IServiceScopeFactory scopes, ILogger<DashboardState> logger)
    : BackgroundService
{
    public HealthReport? Health { get; private set; }

    public long? RegistrySize { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), timeline.Clock);
        var tick = 0;
        try
        {
            do
            {
                timeline.Tick();
                if (tick % 5 == 0)
                {
                    Health = await health.CheckHealthAsync(c => c.Tags.Contains(Telemetry.NodeTelemetry.ReadyTag), stoppingToken);
                }

                if (tick % 30 == 0)
                {
                    await RefreshSizeAsync(stoppingToken);
                }

                tick++;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task RefreshSizeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            RegistrySize = await scope.ServiceProvider.GetRequiredService<HandleRegistry>().CountAsync(cancellationToken);
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            LogSizeUnavailable(logger, e);
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Registry size unavailable for the dashboard")]
    private static partial void LogSizeUnavailable(ILogger logger, Exception exception);
}

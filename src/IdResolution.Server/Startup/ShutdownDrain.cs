using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdResolution.Server.Startup;

/// <summary>
/// A graceful stop (SIGTERM, Ctrl+C, a Kubernetes pod deletion): the node first reports itself unready (/readyz 503,
/// gRPC health NOT_SERVING) while it keeps serving for <c>Node:DrainDelay</c> (default 0; deployments behind a balancer
/// set a few health-check intervals), so that health checks take it out of rotation; only then do the listeners stop,
/// finishing the requests in flight. Without the delay, a balancer goes on sending requests to a node that no longer
/// accepts them, and only its retries save them.
/// </summary>
public sealed partial class ShutdownDrain(IConfiguration configuration, TimeProvider clock, ILogger<ShutdownDrain> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var delay = configuration.GetValue("Node:DrainDelay", TimeSpan.Zero);
        LogDraining(logger, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, clock, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // the host's shutdown timeout came first
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("shutting down: draining") : HealthCheckResult.Healthy("serving"));

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Stopping: reporting unready and serving on for {Seconds} s while load balancers take this node out")]
    private static partial void LogDraining(ILogger logger, double seconds);
}

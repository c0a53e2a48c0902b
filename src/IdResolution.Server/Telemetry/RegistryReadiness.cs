using IdResolution.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdResolution.Server.Telemetry;

/// <summary>Ready when the registry answers and every migration is applied; degraded while only a standby answers.</summary>
public sealed class RegistryReadiness(IServiceScopeFactory scopes, StandbyReads standby) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<RegistryContext>().Database;
            var pending = (await db.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("registry reachable, schema up to date")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}");
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            // Resolves still read a standby in rotation: degraded (writes fail), not out of the balancer.
            return standby.StandbyInRotation
                ? HealthCheckResult.Degraded("registry primary unreachable; resolves read the standby, writes answer 3", e)
                : HealthCheckResult.Unhealthy("registry unreachable", e);
        }
    }
}

/// <summary>
/// Redis, when configured. A node without Redis still resolves (from memory and the registry), so an outage
/// makes it degraded, not unready: a load balancer must not take every node out because Redis is down.
/// </summary>
public sealed class RedisReadiness(Caching.RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await redis.GetAsync();
            await connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy("redis reachable");
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded("redis unreachable: resolving from memory and the registry", e);
        }
    }
}

using System.Text.Json;
using IdResolution.Caching;
using IdResolution.Registry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace IdResolution.Server.Telemetry;

/// <summary>
/// Metrics, traces and health in one place. Metrics: the node's meters, ASP.NET Core and the runtime, scraped
/// at <c>/metrics</c> (Prometheus) and pushed over OTLP when <c>Telemetry:OtlpEndpoint</c> is set; traces
/// (ASP.NET Core, gRPC, Npgsql, Redis) only go out over OTLP. <c>/healthz</c> is liveness, <c>/readyz</c> readiness.
/// </summary>
public static class NodeTelemetry
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// ASP.NET Core instruments updated on every request (some twice, some per buffer) that say little about a resolver:
    /// dropped, they are not listened to at all. On a hot HTTP/2 resolve they cost ~12% of the node's CPU per request.
    /// </summary>
    private static readonly string[] PerRequestInstrumentsDropped =
    [
        "aspnetcore.memory_pool.rented", "aspnetcore.memory_pool.pooled", "aspnetcore.routing.match_attempts", "kestrel.queued_requests",
        "http.server.active_requests",
    ];

    public static IServiceCollection AddNodeTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ResolveMetrics>();
        services.AddSingleton<WriteMetrics>();
        services.AddSingleton<IHandleWriteListener>(sp => sp.GetRequiredService<WriteMetrics>());
        var otlp = configuration["Telemetry:OtlpEndpoint"];
        var telemetry = services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            // "Npgsql": the registry's db.client.operation.duration and connection pool series.
            metrics.AddMeter(ResolveMetrics.MeterName, CacheMetrics.MeterName, WriteMetrics.MeterName, Limits.NodeRateLimits.MeterName, "Npgsql")
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter();
            foreach (var name in PerRequestInstrumentsDropped)
            {
                metrics.AddView(name, MetricStreamConfiguration.Drop);
            }
            if (!string.IsNullOrWhiteSpace(otlp))
            {
                metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
            }
        });
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(CoalescedLookups.ActivitySourceName)
                .AddAspNetCoreInstrumentation()
                .AddNpgsql()
                .AddRedisInstrumentation()
                .ConfigureRedisInstrumentation(TraceRedisCalls)
                .AddOtlpExporter(o => o.Endpoint = new Uri(otlp)));
        }

        services.AddSingleton<Startup.ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<Startup.ShutdownDrain>());
        var health = services.AddHealthChecks()
            .AddCheck<Startup.ShutdownDrain>("shutdown", tags: [ReadyTag])
            .AddCheck<RegistryReadiness>("registry", tags: [ReadyTag]);
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")))
        {
            health.AddCheck<RedisReadiness>("redis", tags: [ReadyTag]);
        }

        return services;
    }

    /// <summary>The Redis connection opens lazily (never blocking start-up): it is traced once it exists.</summary>
    private static void TraceRedisCalls(IServiceProvider services, OpenTelemetry.Instrumentation.StackExchangeRedis.StackExchangeRedisInstrumentation instrumentation)
    {
        if (services.GetService<RedisConnection>() is { } redis)
        {
            foreach (var connection in redis.All())
            {
                _ = connection.ContinueWith(
                    connected => instrumentation.AddConnection(connected.Result),
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnRanToCompletion,
                    TaskScheduler.Default);
            }
        }
    }

    public static IEndpointRouteBuilder MapNodeTelemetry(this IEndpointRouteBuilder app)
    {
        // Probes and scrapes come from few addresses (load balancer, Prometheus): never rate-limited, so that a busy
        // address cannot take the node out of rotation or blind its monitoring.
        app.MapPrometheusScrapingEndpoint("/metrics").DisableRateLimiting();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).DisableRateLimiting();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).DisableRateLimiting();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }
}

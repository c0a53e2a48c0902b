using IdResolution.Core;
using IdResolution.Registry;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;

namespace IdResolution.Server.Statistics;

/// <summary>
/// <c>GET /api/statistics?prefix=&amp;from=&amp;to=</c>: registrations, updates, deletions and resolutions per prefix
/// per UTC day (operators). Today's figures include this node's counts not yet flushed.
/// </summary>
public static class StatisticsEndpoints
{
    public static IServiceCollection AddPrefixStatistics(this IServiceCollection services)
    {
        services.AddSingleton<PrefixCounters>();
        services.AddSingleton<IHandleWriteListener>(sp => sp.GetRequiredService<PrefixCounters>());
        services.AddSingleton<StatisticsFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<StatisticsFlusher>());
        services.AddScoped<StatisticsReport>();
        return services;
    }

    public static IEndpointRouteBuilder MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/statistics", QueryAsync)
            .RequireAuthorization(NodePolicies.Operator)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithTags("Statistics")
            .WithSummary("Per-prefix, per-day counts; prefix= (optional), from= and to= as yyyy-MM-dd (default: today, at most 366 days).");
        return app;
    }

    private static async Task QueryAsync(HttpContext context, StatisticsReport report, string? prefix, string? from, string? to)
    {
        var rows = await report.QueryAsync(prefix, from, to, context.RequestAborted);
        await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("responseCode", (int)ResponseCode.Success);
            writer.WriteStartArray("statistics");
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                writer.WriteString("prefix", row.Prefix);
                writer.WriteString("day", StatisticsReport.FormatDay(row.Day));
                writer.WriteNumber("resolutions", row.Resolutions);
                writer.WriteNumber("registrations", row.Registrations);
                writer.WriteNumber("updates", row.Updates);
                writer.WriteNumber("deletions", row.Deletions);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }
}

using System.Globalization;
using IdResolution.Core;
using IdResolution.Core.Handles;
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
    private const int MaxDays = 366;

    public static IServiceCollection AddPrefixStatistics(this IServiceCollection services)
    {
        services.AddSingleton<PrefixCounters>();
        services.AddSingleton<IHandleWriteListener>(sp => sp.GetRequiredService<PrefixCounters>());
        services.AddSingleton<StatisticsFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<StatisticsFlusher>());
        return services;
    }

    public static IEndpointRouteBuilder MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/statistics", QueryAsync)
            .RequireAuthorization(NodePolicies.Write)
            .WithTags("Statistics")
            .WithSummary("Per-prefix, per-day counts; prefix= (optional), from= and to= as yyyy-MM-dd (default: today, at most 366 days).");
        return app;
    }

    private static async Task QueryAsync(HttpContext context, StatisticsStore store, PrefixCounters counters, TimeProvider clock, string? prefix, string? from, string? to)
    {
        var today = StatisticsFlusher.Today(clock);
        var fromDay = Day(from, today);
        var toDay = Day(to, today);
        if (toDay < fromDay || DateTime.ParseExact(toDay.ToString(CultureInfo.InvariantCulture), "yyyyMMdd", CultureInfo.InvariantCulture)
            - DateTime.ParseExact(fromDay.ToString(CultureInfo.InvariantCulture), "yyyyMMdd", CultureInfo.InvariantCulture) > TimeSpan.FromDays(MaxDays))
        {
            throw new HandleException(ResponseCode.ProtocolError, $"from must not be after to, and the range is at most {MaxDays} days");
        }

        var prefixKey = prefix is null ? null : PrefixName.Parse(prefix).Key;
        var rows = (await store.QueryAsync(prefixKey, fromDay, toDay, context.RequestAborted))
            .ToDictionary(r => (r.Prefix, r.Day), r => new StatisticsDelta(r.Prefix, r.Day, r.Resolutions, r.Registrations, r.Updates, r.Deletions));
        if (today >= fromDay && today <= toDay)
        {
            foreach (var pending in counters.Prefixes)
            {
                if (prefixKey is null || pending == prefixKey)
                {
                    var p = counters.Pending(pending, today);
                    rows[(pending, today)] = rows.TryGetValue((pending, today), out var r)
                        ? r with { Resolutions = r.Resolutions + p.Resolutions, Registrations = r.Registrations + p.Registrations, Updates = r.Updates + p.Updates, Deletions = r.Deletions + p.Deletions }
                        : p;
                }
            }
        }

        await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("responseCode", (int)ResponseCode.Success);
            writer.WriteStartArray("statistics");
            foreach (var row in rows.Values.OrderBy(r => r.Day).ThenBy(r => r.Prefix, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("prefix", row.Prefix);
                writer.WriteString("day", $"{row.Day / 10000:D4}-{row.Day / 100 % 100:D2}-{row.Day % 100:D2}");
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

    private static int Day(string? text, int today) =>
        text is null ? today
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (day.Year * 10000) + (day.Month * 100) + day.Day
            : throw new HandleException(ResponseCode.ProtocolError, $"'{text}' is not a yyyy-MM-dd date");
}

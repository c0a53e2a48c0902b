using System.Reflection;
using System.Text.Json;
using IdResolution.Registry;
using IdResolution.Server.Http;
using IdResolution.Server.Statistics;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Dashboard;

/// <summary>
/// <c>/dashboard</c>: a self-contained page (no CDN, plain SVG) that polls <c>/dashboard/data</c> every second:
/// resolves per second by protocol over five minutes, latency percentiles, answers by cache layer and the garbage
/// collector's pauses over the last minute, errors by code, health of PostgreSQL and Redis; with an operator key (given to the page as
/// <c>/dashboard#key=...</c>, sent as a bearer header, never in a URL the server logs) also top prefixes and registry size.
/// </summary>
public static class DashboardEndpoints
{
    private const int RecentSeconds = 60;

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSingleton<ResolveTimeline>();
        services.AddSingleton<DashboardState>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardState>());
        return services;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var page = ReadPage();
        app.MapGet("/dashboard", (HttpResponse response) =>
        {
            SecurityHeaders.ApplyPage(response);
            return Results.Bytes(page, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapGet("/dashboard/data", DataAsync).ExcludeFromDescription();
        return app;
    }

    private static Task DataAsync(HttpContext context, ResolveTimeline timeline, DashboardState state, PrefixCounters prefixes, IOptions<NodeOptions> node)
    {
        // Traffic by prefix and registry size are operators' business: shown only with an operator key.
        var forOperator = Auth.Caller.From(context.User)?.IsOperator == true;
        var history = timeline.History();
        var recent = history.Count > RecentSeconds ? history.GetRange(history.Count - RecentSeconds, RecentSeconds) : history;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            node = node.Value.Prefix,
            now = timeline.Clock.GetUtcNow().ToUnixTimeSeconds(),
            series = history.Select(s => new { t = s.Start, http = s.Count[0], grpc = s.Count[1], batch = s.Count[2], errors = s.Errors, gcPauseMs = Math.Round(s.GcPauseMs, 1) }),
            latency = ResolveTimeline.Protocols.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => Percentiles(recent, x.i)),
            gc = new { pauseMs = Math.Round(recent.Sum(s => s.GcPauseMs), 1), worstSecondMs = Math.Round(recent.Count == 0 ? 0 : recent.Max(s => s.GcPauseMs), 1) },
            layers = ResolveTimeline.Layers.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => recent.Sum(s => s.ByLayer[x.i])),
            errors = Enumerable.Range(0, ResolveTimeline.Codes.Length + 1)
                .Select(i => (Code: i < ResolveTimeline.Codes.Length ? ResolveTimeline.Codes[i] : 0, Count: recent.Sum(s => s.ErrorCodes[i])))
                .Where(e => e.Count > 0)
                .ToDictionary(e => e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture), e => e.Count),
            topPrefixes = forOperator ? prefixes.Top(10).Select(p => new { prefix = p.Prefix, resolutions = p.Resolutions }) : null,
            registrySize = forOperator ? state.RegistrySize : null,
            health = state.Health is { } h
                ? new { status = h.Status.ToString(), checks = h.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()) }
                : null,
        }, cancellationToken: context.RequestAborted);
    }

    /// <summary>p50/p95/p99 in milliseconds (the upper bound of the bucket holding the percentile) and the count.</summary>
    private static object Percentiles(List<ResolveTimeline.Second> seconds, int protocol)
    {
        var buckets = new long[ResolveTimeline.Bounds.Length + 1];
        foreach (var second in seconds)
        {
            for (var b = 0; b < buckets.Length; b++)
            {
                buckets[b] += second.Latency[protocol, b];
            }
        }

        var total = buckets.Sum();
        double? At(double p)
        {
            if (total == 0)
            {
                return null;
            }

            long seen = 0;
            for (var b = 0; b < buckets.Length; b++)
            {
                seen += buckets[b];
                if (seen >= p * total)
                {
                    return b < ResolveTimeline.Bounds.Length ? ResolveTimeline.Bounds[b] * 1000 : null;
                }
            }

            return null;
        }

        return new { count = total, p50 = At(0.50), p95 = At(0.95), p99 = At(0.99) };
    }

    private static byte[] ReadPage()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("IdResolution.Server.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Telemetry;

/// <summary>
/// A node on PostgreSQL and Redis whose every series shows up: a small cache and a low per-address rate
/// (rejections).
/// </summary>
public sealed class ObservedNodeFixture : PostgresNodeFixture
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cache:MemoryBudgetBytes"] = "20000";
        settings["Limits:PerAddressPerSecond"] = "100";
        settings["Limits:BurstSeconds"] = "1";
    }
}

/// <summary>deploy/grafana's dashboard queries only series and labels a real node exports.</summary>
public sealed partial class GrafanaDashboardTests(ObservedNodeFixture fixture) : IClassFixture<ObservedNodeFixture>
{
    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task EveryQuery_UsesExportedMetricsAndLabels()
    {
        var queries = Queries(Path.Combine(AppContext.BaseDirectory, "deploy", "grafana", "idresolution-dashboard.json"));
        Assert.NotEmpty(queries);
        var resolver = new Resolver.ResolverClient(Node.Channel);
        var scrape = "";
        await Eventually.HoldsAsync(async () =>
        {
            await DriveTrafficAsync(resolver);
            scrape = await Node.Http.GetStringAsync("/metrics");
            return queries.SelectMany(q => MetricNames(q)).All(name => Exported(scrape, name));
        }, TimeSpan.FromSeconds(20), "every queried series in the scrape");

        var series = Series(scrape);
        foreach (var query in queries)
        {
            foreach (var metric in MetricNames(query))
            {
                // Labels grouped by or matched on must be on that series; job and instance are added by Prometheus, le comes with histograms.
                foreach (var label in GroupingLabels(query).Concat(MatcherLabels(query)).Where(l => l is not ("le" or "job" or "instance")))
                {
                    Assert.True(series.TryGetValue(metric, out var labels) && labels.Contains(label), $"{metric} has no label {label} (query '{query}')");
                }
            }
        }
    }

    /// <summary>Every exported series name with the label names seen on it.</summary>
    private static Dictionary<string, HashSet<string>> Series(string scrape)
    {
        var series = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Match line in ScrapeLinePattern().Matches(scrape))
        {
            var labels = series.TryGetValue(line.Groups[1].Value, out var known) ? known : series[line.Groups[1].Value] = [];
            foreach (Match label in LabelPattern().Matches(line.Groups[2].Value))
            {
                labels.Add(label.Groups[1].Value);
            }
        }

        return series;
    }

    private static IEnumerable<string> MatcherLabels(string query) =>
        SelectorBodyPattern().Matches(query).SelectMany(m => LabelPattern().Matches(m.Groups[1].Value).Select(l => l.Groups[1].Value));

    private async Task DriveTrafficAsync(Resolver.ResolverClient resolver)
    {
        for (var i = 0; i < 30; i++)
        {
            var handle = $"88.118.8.1001/G-{Guid.NewGuid():N}";
            (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://g.example/a/long/enough/path"}]""")).EnsureSuccessStatusCode();
            (await Node.Http.GetAsync($"/api/handles/{handle}")).Dispose();
            try
            {
                await resolver.ResolveAsync(new ResolveRequest { Handle = handle });
            }
            catch (global::Grpc.Core.RpcException e) when (e.StatusCode == global::Grpc.Core.StatusCode.ResourceExhausted)
            {
                // the address's rate is spent: that is what the rejection series is for
            }
        }

        // More anonymous requests than the address may make in a second, so that rejections are counted.
        for (var i = 0; i < 150; i++)
        {
            (await Node.Http.GetAsync("/api/handles/88.118.8.1001/G-missing")).Dispose();
        }
    }

    private static List<string> Queries(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
    }

    private static IEnumerable<string> MetricNames(string query) => SelectorPattern().Matches(query).Select(m => m.Groups[1].Value);

    private static IEnumerable<string> GroupingLabels(string query) =>
        GroupingPattern().Matches(query).SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static bool Exported(string scrape, string name) =>
        scrape.Contains('\n' + name + '{', StringComparison.Ordinal) || scrape.Contains('\n' + name + ' ', StringComparison.Ordinal);

    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")]
    private static partial Regex SelectorPattern();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}", RegexOptions.Multiline)]
    private static partial Regex ScrapeLinePattern();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*""")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}")]
    private static partial Regex SelectorBodyPattern();

    [GeneratedRegex(@"\b(?:by|ignoring|without)\s*\(([^)]*)\)")]
    private static partial Regex GroupingPattern();
}

using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Health.V1;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Telemetry;

/// <summary>What an operator's tools read: the Prometheus scrape, liveness and readiness.</summary>
public sealed class TelemetryTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    private NodeServer Node => fixture.Node;

    /// <summary>
    /// A node process of its own: OpenTelemetry takes every meter of a name in the process, so a scrape of a node
    /// hosted beside others in the test process sums them all, and one of them stopping ended the series.
    /// </summary>
    [Fact]
    public async Task Metrics_AfterTraffic_ExposeResolveDurationsAndCacheLookups()
    {
        var directory = Directory.CreateTempSubdirectory("idres-telemetry-").FullName;
        try
        {
            await using var node = await NodeProcess.StartAsync(directory, new Dictionary<string, string?>
            {
                ["Registry:Provider"] = "Sqlite",
                ["Node:DataDirectory"] = directory,
                ["Auth:BootstrapToken"] = NodeServer.OperatorToken,
                ["Seeds:Load"] = "false",
            });
            using var http = new HttpClient { BaseAddress = node.HttpUrl };
            http.DefaultRequestHeaders.Authorization = NodeServer.Bearer();
            using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(node.GrpcUrl);
            await AssertMetricsAfterTrafficAsync(http, new Resolver.ResolverClient(channel));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task AssertMetricsAfterTrafficAsync(HttpClient http, Resolver.ResolverClient resolver)
    {
        (await http.PostAsync($"/api/prefixes/{NodeFixture.EnterprisePrefix}", null)).EnsureSuccessStatusCode();
        var handle = $"{NodeFixture.EnterprisePrefix}/M-{Guid.NewGuid():N}";
        using var values = new StringContent("""[{"index":1,"type":"URL","data":"https://m.example"}]""", System.Text.Encoding.UTF8, "application/json");
        (await http.PutAsync($"/api/handles/{handle}", values)).EnsureSuccessStatusCode();
        for (var i = 0; i < 3; i++)
        {
            (await http.GetAsync($"/api/handles/{handle}")).Dispose();
            await resolver.ResolveAsync(new ResolveRequest { Handle = handle });
        }

        (await http.GetAsync($"/api/handles/{NodeFixture.EnterprisePrefix}/M-missing-{Guid.NewGuid():N}")).Dispose();
        await resolver.BatchResolveAsync(new BatchResolveRequest { Handles = { handle, $"{NodeFixture.EnterprisePrefix}/M-gone" } });

        const string MemoryAnsweredHttp = "idres_resolve_duration_seconds_count\\{[^}]*idres_cache_layer=\"memory\"[^}]*idres_protocol=\"http\"[^}]*\\} [1-9]";
        string scrape = "";
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                // Asked again on each try: a registry read slowed by a loaded machine is cached only briefly, so memory may not have answered yet.
                (await http.GetAsync($"/api/handles/{handle}")).Dispose();
                scrape = await http.GetStringAsync("/metrics");
                return scrape.Contains("idres_protocol=\"grpc\"", StringComparison.Ordinal) && scrape.Contains("idres_resolve_batch_items_total{", StringComparison.Ordinal)
                    && Regex.IsMatch(scrape, MemoryAnsweredHttp);
            }, TimeSpan.FromSeconds(30), "the resolves showing in /metrics");
        }
        catch (TimeoutException e)
        {
            var resolves = scrape.Split('\n').Where(line => line.StartsWith("idres_", StringComparison.Ordinal) && !line.Contains("_bucket{", StringComparison.Ordinal));
            throw new TimeoutException($"{e.Message}; the last scrape's idres series:\n{string.Join('\n', resolves)}", e);
        }

        Assert.Contains("idres_resolve_duration_seconds_bucket{", scrape, StringComparison.Ordinal);
        Assert.Matches(MemoryAnsweredHttp, scrape);
        Assert.Matches("idres_cache_lookups_total\\{[^}]*layer=\"memory\"[^}]*\\} [1-9]", scrape);
        Assert.Matches("idres_resolve_batch_items_total\\{[^}]*idres_response_code=\"100\"[^}]*\\} [1-9]", scrape);
        AssertResolvesMeasuredOnce(scrape);
        Assert.Contains("kestrel_active_connections", scrape, StringComparison.Ordinal);
        Assert.Contains("aspnetcore_memory_pool_allocated_bytes_total", scrape, StringComparison.Ordinal);
    }

    /// <summary>Resolves are in idres.resolve.duration only; the other requests stay in http.server.request.duration.</summary>
    private static void AssertResolvesMeasuredOnce(string scrape)
    {
        var requests = scrape.Split('\n').Where(line => line.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)).ToList();
        var handleRoute = requests.Where(line => line.Contains("http_route=\"/api/handles/{**handle}\"", StringComparison.Ordinal)).ToList();
        Assert.Contains(handleRoute, line => line.Contains("http_request_method=\"PUT\"", StringComparison.Ordinal));
        Assert.DoesNotContain(handleRoute, line => line.Contains("http_request_method=\"GET\"", StringComparison.Ordinal));
        Assert.DoesNotContain(requests, line => line.Contains("idresolution.v1.Resolver", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("aspnetcore_memory_pool_rented")]
    [InlineData("aspnetcore_memory_pool_pooled")]
    [InlineData("aspnetcore_routing_match_attempts")]
    [InlineData("kestrel_queued_requests")]
    [InlineData("http_server_active_requests")]
    public async Task Metrics_LeaveOut_TheInstrumentsUpdatedOnEveryRequestThatSayLittle(string series)
    {
        (await Node.Http.GetAsync($"/api/handles/{NodeFixture.EnterprisePrefix}/M-missing-{Guid.NewGuid():N}")).Dispose();
        await new Health.HealthClient(Node.Channel).CheckAsync(new HealthCheckRequest());

        var scrape = await Node.Http.GetStringAsync("/metrics");

        Assert.Contains("http_server_request_duration_seconds", scrape, StringComparison.Ordinal);
        Assert.DoesNotContain(series, scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Liveness_And_Readiness_AreReported()
    {
        using var live = await Node.Http.GetAsync("/healthz");
        using var ready = await Node.Http.GetAsync("/readyz");
        var readiness = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        var grpc = await new Health.HealthClient(Node.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", readiness.GetProperty("checks").GetProperty("registry").GetProperty("status").GetString());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, grpc.Status);
    }
}

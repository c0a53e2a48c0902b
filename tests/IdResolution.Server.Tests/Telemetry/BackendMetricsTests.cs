using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Telemetry;

/// <summary>What the node's back ends cost, on real PostgreSQL and Redis: call latency per engine, and the write rate.</summary>
public sealed class BackendMetricsTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task Writes_AreCountedByKind_OncePerCommittedWrite()
    {
        using var created = new NodeMetric(Node, "idres.registry.writes", "idres.change", "created");
        using var updated = new NodeMetric(Node, "idres.registry.writes", "idres.change", "updated");
        using var deleted = new NodeMetric(Node, "idres.registry.writes", "idres.change", "deleted");
        var handle = $"{NodeFixture.EnterprisePrefix}/W-{Guid.NewGuid():N}";

        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://w.example"}]""")).EnsureSuccessStatusCode();
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}?index=2", """[{"index":2,"type":"EMAIL","data":"w@example.com"}]""")).EnsureSuccessStatusCode();
        var refused = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}?overwrite=false", """[{"index":1,"type":"URL","data":"https://x.example"}]""");
        (await Node.SendAsync(HttpMethod.Delete, $"/api/handles/{handle}")).EnsureSuccessStatusCode();

        Assert.False(refused.IsSuccessStatusCode);
        Assert.Equal((1, 1, 1), (created.Total, updated.Total, deleted.Total));
    }

    [Fact]
    public async Task Metrics_ShowRegistryAndRedisCallLatency()
    {
        var handle = $"{NodeFixture.EnterprisePrefix}/L-{Guid.NewGuid():N}";
        var registry = new Contracts.V1.Registry.RegistryClient(Node.Channel);
        await registry.CreateHandleAsync(new CreateHandleRequest { Handle = handle, Values = { new HandleValue { Index = 1, Type = "URL", Data = Google.Protobuf.ByteString.CopyFromUtf8("https://l.example") } } }, Node.OperatorMetadata());
        await new Resolver.ResolverClient(Node.Channel).ResolveAsync(new ResolveRequest { Handle = handle });

        string scrape = "";
        await Eventually.HoldsAsync(async () =>
        {
            scrape = await Node.Http.GetStringAsync("/metrics");
            return scrape.Contains("db_system_name=\"redis\"", StringComparison.Ordinal) && scrape.Contains("db_system_name=\"postgresql\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10), "Redis and PostgreSQL calls showing in /metrics");

        Assert.Matches("db_client_operation_duration_seconds_count\\{[^}]*db_operation_name=\"get\"[^}]*db_system_name=\"redis\"[^}]*\\} [1-9]", scrape);
        Assert.Matches("db_client_operation_duration_seconds_count\\{[^}]*db_operation_name=\"remove\"[^}]*db_system_name=\"redis\"[^}]*\\} [1-9]", scrape);
        Assert.Matches("db_client_operation_duration_seconds_count\\{[^}]*db_client_connection_pool_name=\"registry\"[^}]*db_system_name=\"postgresql\"[^}]*\\} [1-9]", scrape);
        Assert.Single(scrape.Split('\n'), l => l.StartsWith("# TYPE db_client_operation_duration_seconds ", StringComparison.Ordinal));
    }
}

using System.Net;
using System.Text.Json;
using IdResolution.Contracts.V1;
using IdResolution.Server.Statistics;
using IdResolution.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdResolution.Server.Tests.Statistics;

/// <summary>Per-prefix, per-day statistics count exactly, before and after they are flushed to the registry.</summary>
public abstract class StatisticsTests(NodeFixture fixture)
{
    private NodeServer Node => fixture.Node;

    private async Task<JsonElement> FiguresAsync(string prefix)
    {
        using var response = await Node.SendAsync(HttpMethod.Get, $"/api/statistics?prefix={prefix}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("statistics");
        return Assert.Single(rows.EnumerateArray()).Clone();
    }

    [Fact]
    public async Task ResolvesAndWrites_AreCountedExactly_BeforeAndAfterFlush()
    {
        var prefix = $"88.118.8.S{Random.Shared.Next(1_000_000)}";
        (await Node.SendAsync(HttpMethod.Post, $"/api/prefixes/{prefix}")).EnsureSuccessStatusCode();
        foreach (var suffix in new[] { "a", "b", "c" })
        {
            (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{prefix}/{suffix}", """[{"index":1,"type":"URL","data":"https://s.example"}]""")).EnsureSuccessStatusCode();
        }

        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{prefix}/a", """[{"index":2,"type":"NOTE","data":"n"}]""", authorised: true)).EnsureSuccessStatusCode();
        (await Node.SendAsync(HttpMethod.Delete, $"/api/handles/{prefix}/c")).EnsureSuccessStatusCode();
        for (var i = 0; i < 5; i++)
        {
            (await Node.Http.GetAsync($"/api/handles/{prefix}/a")).Dispose();
        }

        var resolver = new Resolver.ResolverClient(Node.Channel);
        await resolver.ResolveAsync(new ResolveRequest { Handle = $"{prefix}/b" });
        await resolver.BatchResolveAsync(new BatchResolveRequest { Handles = { $"{prefix}/a", $"{prefix}/b", $"{prefix}/missing" } });
        (await Node.Http.GetAsync("/api/handles/99.17/not-served")).Dispose();

        var pending = await FiguresAsync(prefix);
        await Node.Services.GetRequiredService<StatisticsFlusher>().FlushAsync(CancellationToken.None);
        var flushed = await FiguresAsync(prefix);

        foreach (var figures in new[] { pending, flushed })
        {
            Assert.Equal(9, figures.GetProperty("resolutions").GetInt64());
            Assert.Equal(3, figures.GetProperty("registrations").GetInt64());
            Assert.Equal(1, figures.GetProperty("updates").GetInt64());
            Assert.Equal(1, figures.GetProperty("deletions").GetInt64());
        }

        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), flushed.GetProperty("day").GetString());
        var overGrpc = Assert.Single((await new Contracts.V1.Registry.RegistryClient(Node.Channel).GetStatisticsAsync(new GetStatisticsRequest { Prefix = prefix }, Node.OperatorMetadata())).Statistics);
        Assert.Equal((9UL, 3UL, 1UL, 1UL), (overGrpc.Resolutions, overGrpc.Registrations, overGrpc.Updates, overGrpc.Deletions));
        using var unserved = await Node.SendAsync(HttpMethod.Get, "/api/statistics?prefix=99.17");
        Assert.Empty(JsonDocument.Parse(await unserved.Content.ReadAsStringAsync()).RootElement.GetProperty("statistics").EnumerateArray());
    }

    [Fact]
    public async Task Query_Errors_AreClear()
    {
        using var badDate = await Node.SendAsync(HttpMethod.Get, "/api/statistics?from=27/11/2026");
        using var reversed = await Node.SendAsync(HttpMethod.Get, "/api/statistics?from=2026-11-27&to=2026-11-01");
        using var anonymous = await Node.SendAsync(HttpMethod.Get, "/api/statistics", authorised: false);

        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var e = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() =>
            new Contracts.V1.Registry.RegistryClient(Node.Channel).GetStatisticsAsync(new GetStatisticsRequest { From = "yesterday" }, Node.OperatorMetadata()).ResponseAsync);
        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, e.StatusCode);
    }
}

public sealed class SqliteStatisticsTests(SqliteNodeFixture fixture) : StatisticsTests(fixture), IClassFixture<SqliteNodeFixture>;

public sealed class PostgresStatisticsTests(PostgresNodeFixture fixture) : StatisticsTests(fixture), IClassFixture<PostgresNodeFixture>;

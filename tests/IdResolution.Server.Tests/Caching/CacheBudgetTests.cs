using System.Net;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Caching;

/// <summary>The in-process cache holds at most its byte budget, evicting (and counting) what does not fit.</summary>
public sealed class CacheBudgetTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("idres-budget-").FullName;
    private NodeServer _node = null!;

    public async Task InitializeAsync()
    {
        _node = await NodeServer.StartAsync(new Dictionary<string, string?>
        {
            ["Node:DataDirectory"] = _directory,
            ["Seeds:Load"] = "false",
            // Room for a handful of records only.
            ["Cache:MemoryBudgetBytes"] = "20000",
        });
        (await _node.SendAsync(HttpMethod.Post, "/api/prefixes/88.118.8.1001")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task OverBudget_EntriesAreEvicted_AndCounted()
    {
        using var evictions = new NodeMetric(_node, "idres.cache.evictions");
        var handles = Enumerable.Range(0, 60).Select(i => $"88.118.8.1001/E-{i}").ToArray();
        foreach (var handle in handles)
        {
            (await _node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://e.example/some/long/enough/path"}]""")).EnsureSuccessStatusCode();
        }

        await Eventually.HoldsAsync(async () =>
        {
            foreach (var handle in handles)
            {
                using var response = await _node.Http.GetAsync($"/api/handles/{handle}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            return evictions.Total > 0;
        }, TimeSpan.FromSeconds(10), "evictions counted");
    }
}

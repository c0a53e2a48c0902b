using System.Net;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Caching;

/// <summary>The in-process cache holds at most its byte budget, evicting (and counting) what does not fit.</summary>
public sealed class CacheBudgetTests(SmallCacheNodeFixture fixture) : IClassFixture<SmallCacheNodeFixture>
{
    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task OverBudget_EntriesAreEvicted_AndCounted()
    {
        using var evictions = new NodeMetric(Node, "idres.cache.evictions");
        var handles = Enumerable.Range(0, 60).Select(i => $"88.118.8.1001/E-{i}").ToArray();
        foreach (var handle in handles)
        {
            (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://e.example/some/long/enough/path"}]""")).EnsureSuccessStatusCode();
        }

        await Eventually.HoldsAsync(async () =>
        {
            foreach (var handle in handles)
            {
                using var response = await Node.Http.GetAsync($"/api/handles/{handle}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            return evictions.Total > 0;
        }, TimeSpan.FromSeconds(10), "evictions counted");
    }
}

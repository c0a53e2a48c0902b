using System.Net;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Caching;

/// <summary>The in-process cache holds at most its byte budget, evicting what does not fit.</summary>
public sealed class CacheBudgetTests(SmallCacheNodeFixture fixture) : IClassFixture<SmallCacheNodeFixture>
{
    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task OverBudget_EntriesAreEvicted_AndTheEntryGaugeShowsWhatIsHeld()
    {
        var handles = Enumerable.Range(0, 60).Select(i => $"88.118.8.1001/E-{i}").ToArray();
        foreach (var handle in handles)
        {
            (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://e.example/some/long/enough/path"}]""")).EnsureSuccessStatusCode();
        }

        // Sixty records of about 1 KB against a 20 KB budget: after each has been read, most are gone again.
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var handle in handles)
            {
                using var response = await Node.Http.GetAsync($"/api/handles/{handle}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            return NodeMetric.Observe(Node, "idres.cache.entries") is > 0 and < 40;
        }, TimeSpan.FromSeconds(10), "L1 held within its budget");
    }
}

using System.Globalization;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;
using Microsoft.Playwright;

namespace IdResolution.Server.Tests.Dashboard;

/// <summary>The dashboard in a real browser: Debian's Chromium, driven by Playwright, watching live traffic.</summary>
public sealed class DashboardBrowserTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task Dashboard_ShowsResolvesAsTheyHappen()
    {
        var handle = $"{NodeFixture.EnterprisePrefix}/D-{Guid.NewGuid():N}";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://d.example"}]""")).EnsureSuccessStatusCode();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
        // The page runs under its Content-Security-Policy, which forbids eval: the test reads text, never evaluates script.
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(Node.HttpUrl, $"/dashboard#key={NodeServer.OperatorToken}").ToString());
        await Eventually.HoldsAsync(async () => await page.TextContentAsync("#health-registry") == "Healthy", TimeSpan.FromSeconds(15), "the registry shown healthy");
        var before = await TotalAsync(page);

        for (var i = 0; i < 25; i++)
        {
            (await Node.Http.GetAsync($"/api/handles/{handle}")).Dispose();
        }

        (await Node.Http.GetAsync($"/api/handles/{NodeFixture.EnterprisePrefix}/D-missing-{Guid.NewGuid():N}")).Dispose();
        var resolver = new Resolver.ResolverClient(Node.Channel);
        for (var i = 0; i < 5; i++)
        {
            await resolver.ResolveAsync(new ResolveRequest { Handle = handle });
        }

        await Eventually.HoldsAsync(async () => await TotalAsync(page) >= before + 31, TimeSpan.FromSeconds(15), "the dashboard counting the 31 resolves");
        await Eventually.HoldsAsync(async () => (await page.TextContentAsync("#errors") ?? "").Contains("100", StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the not-found answer among the errors");
        Assert.NotEqual("–", await page.TextContentAsync("#p99-http"));
        Assert.NotEqual("–", await page.TextContentAsync("#p99-grpc"));
        Assert.Contains(NodeFixture.EnterprisePrefix, await page.TextContentAsync("#top-prefixes") ?? "", StringComparison.Ordinal);

        // The node runs in this process: a full, compacting collection forced here pauses it, and the card shows the time.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        await Eventually.HoldsAsync(async () => await MillisecondsAsync(page, "#gc-pause") > 0, TimeSpan.FromSeconds(15), "the collector's pause shown");
        var worst = await MillisecondsAsync(page, "#gc-worst");
        Assert.InRange(worst, 0.01, await MillisecondsAsync(page, "#gc-pause"));
        var anonymous = await browser.NewPageAsync();
        await anonymous.GotoAsync(new Uri(Node.HttpUrl, "/dashboard").ToString());
        await Eventually.HoldsAsync(async () => await anonymous.TextContentAsync("#registry-size") == "operator key needed", TimeSpan.FromSeconds(15), "the registry size hidden from anonymous viewers");
        Assert.DoesNotContain(NodeFixture.EnterprisePrefix, await anonymous.TextContentAsync("#top-prefixes") ?? "", StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "idres-dashboard.png"), FullPage = true });
    }

    /// <summary>A figure the page shows in milliseconds; -1 while it shows none.</summary>
    private static async Task<double> MillisecondsAsync(IPage page, string selector) =>
        double.TryParse(await page.TextContentAsync(selector), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? ms : -1;

    private static async Task<long> TotalAsync(IPage page)
    {
        var text = await page.TextContentAsync("#resolves-total") ?? "";
        return long.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : -1;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Startup;

/// <summary>The README's first command: a node with no configuration, on the embedded registry, in a fresh folder.</summary>
public sealed class EmbeddedDefaultTests : IDisposable
{
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("idres-embedded-").FullName;

    public void Dispose() => Directory.Delete(_workingDirectory, recursive: true);

    [Fact]
    public async Task FirstStart_CreatesDataFolder_LoadsSeeds_PrintsToken_AndKeepsWritesAcrossRestart()
    {
        string token;
        await using (var node = await NodeProcess.StartAsync(_workingDirectory))
        {
            Assert.True(File.Exists(Path.Combine(_workingDirectory, "data", "registry.db")));
            token = (await File.ReadAllTextAsync(Path.Combine(_workingDirectory, "data", "operator.token"))).Trim();
            Assert.Contains(token, node.Output, StringComparison.Ordinal);
            Assert.Contains("Loaded 12 sample identifiers", node.Output, StringComparison.Ordinal);

            using var client = new HttpClient { BaseAddress = node.HttpUrl };
            using var seeded = await client.GetAsync("/api/handles/88.118.8.1001/SHAMPOO-2026-000123");
            Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
            using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = node.HttpUrl };
            noRedirects.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-US");
            using var productPage = await noRedirects.GetAsync("/01/06901234567892/21/2026-000124?linkType=gs1:pip");
            Assert.Equal("https://example.com/en/products/shampoo", productPage.Headers.Location?.ToString());
            var mill = JsonDocument.Parse(await client.GetStringAsync("/api/handles/1.2.156.112.1003.1.917")).RootElement;
            Assert.Equal("88.118.8.1003/CNC-MILL-VX500-SN0917", mill.GetProperty("handle").GetString());

            // The industry templates, the enterprises owning the sample prefixes, and the sample supply chain's events.
            var templates = JsonDocument.Parse(await client.GetStringAsync("/api/templates")).RootElement.GetProperty("templates");
            Assert.Equal(8, templates.EnumerateArray().Count(t => t.GetProperty("status").GetString() == "published"));
            var back = JsonDocument.Parse(await client.GetStringAsync("/epcis/trace/back?epc=88.118.8.1001/SHAMPOO-2026-000123")).RootElement;
            Assert.Contains("88.118.8.1001/RAW-SURFACTANT-2026-0311", back.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()));
            var pallet = JsonDocument.Parse(await client.GetStringAsync("/epcis/state/urn:epc:id:sscc:6901234.1000000001")).RootElement;
            Assert.Equal("in_transit", pallet.GetProperty("disposition").GetString());
            using var offTemplate = new HttpRequestMessage(HttpMethod.Put, "/api/handles/88.118.8.1001/SHAMPOO-2026-000999")
            {
                Content = new StringContent("""[{"index":1001,"type":"TEMPLATE","data":"daily-chemicals.product@1.0"},{"index":2000,"type":"productName","data":"x"}]""", Encoding.UTF8, "application/json"),
            };
            offTemplate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var refused = await client.SendAsync(offTemplate);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("batchNumber", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using var write = new HttpRequestMessage(HttpMethod.Put, "/api/handles/88.118.8.1002/KEPT-1")
            {
                Content = new StringContent("""[{"index":1,"type":"URL","data":"https://kept.example"}]""", Encoding.UTF8, "application/json"),
            };
            write.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var written = await client.SendAsync(write);
            Assert.Equal(HttpStatusCode.Created, written.StatusCode);
        }

        await using (var restarted = await NodeProcess.StartAsync(_workingDirectory))
        {
            Assert.DoesNotContain("Generated the bootstrap operator token", restarted.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Loaded 12 sample identifiers", restarted.Output, StringComparison.Ordinal);
            using var client = new HttpClient { BaseAddress = restarted.HttpUrl };
            var body = JsonDocument.Parse(await client.GetStringAsync("/api/handles/88.118.8.1002/KEPT-1")).RootElement;
            Assert.Equal("https://kept.example", body.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString());
            Assert.Equal(token, (await File.ReadAllTextAsync(Path.Combine(_workingDirectory, "data", "operator.token"))).Trim());
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;
using Npgsql;

namespace IdResolution.Server.Tests.Limits;

/// <summary>Writes and administration are bounded by <c>Limits:RequestTimeout</c>; resolves are not held to it.</summary>
public sealed class RequestTimeoutTests
{
    private const string Prefix = "88.118.8.7701";

    [Fact]
    public async Task AWriteStuckOnTheRegistry_IsAnswered504AtTheTimeout_WhileResolvesGoOn()
    {
        await using var database = new TestDatabase();
        await database.CreateAsync();
        var settings = database.NodeSettings();
        settings["Limits:RequestTimeout"] = "00:00:01";
        settings["Seeds:Load"] = "false";
        await using var node = await NodeServer.StartAsync(settings);
        (await node.SendAsync(HttpMethod.Post, $"/api/prefixes/{Prefix}")).EnsureSuccessStatusCode();
        await node.RegisterAsync($"{Prefix}/KEPT", "https://example.com/kept");
        Assert.Equal("https://example.com/kept", await node.UrlAsync($"{Prefix}/KEPT"));

        await using (var holder = new NpgsqlConnection(database.ConnectionString))
        {
            await holder.OpenAsync();
            await using (var lockTable = new NpgsqlCommand("BEGIN; LOCK TABLE handles IN ACCESS EXCLUSIVE MODE", holder))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var write = node.SendAsync(HttpMethod.Put, $"/api/handles/{Prefix}/STUCK", """[{"index":1,"type":"URL","data":"https://example.com/stuck"}]""");
            // The cached record is answered while the write waits on the lock.
            Assert.Equal("https://example.com/kept", await node.UrlAsync($"{Prefix}/KEPT"));
            using var stuck = await write.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(HttpStatusCode.GatewayTimeout, stuck.StatusCode);
            Assert.Equal("nosniff", Assert.Single(stuck.Headers.GetValues("X-Content-Type-Options")));
            var answer = await stuck.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(3, answer.GetProperty("responseCode").GetInt32());
            Assert.Contains("did not finish within 1 s", answer.GetProperty("message").GetString(), StringComparison.Ordinal);
            await using var rollback = new NpgsqlCommand("ROLLBACK", holder);
            await rollback.ExecuteNonQueryAsync();
        }

        // Nothing half-done was left: the same write goes through once the registry answers.
        using var again = await node.SendAsync(HttpMethod.Put, $"/api/handles/{Prefix}/STUCK", """[{"index":1,"type":"URL","data":"https://example.com/stuck"}]""");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("https://example.com/stuck", await node.UrlAsync($"{Prefix}/STUCK"));
    }
}

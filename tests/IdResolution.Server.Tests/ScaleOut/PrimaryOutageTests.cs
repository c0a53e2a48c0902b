using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;
using Npgsql;

namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// A private PostgreSQL primary and its streaming standby (private so that the primary may be stopped): with the
/// primary down, a node whose standby is in rotation stays in the balancer, reporting Degraded, resolves from the
/// standby, and answers writes with 3.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class PrimaryOutageTests : IAsyncLifetime
{
    private readonly PostgresInstance _primary = new();
    private readonly PostgresInstance _standby = new();
    private NodeServer? _node;

    public async Task InitializeAsync()
    {
        await _primary.InitialiseAsync();
        await _standby.InitialiseStandbyOfAsync(_primary);
    }

    [Fact]
    public async Task WithThePrimaryDown_ANodeWithAStandby_StaysReady_AndResolvesFromTheStandby()
    {
        _node = await NodeServer.StartAsync(new Dictionary<string, string?>
        {
            ["Registry:Provider"] = "Postgres",
            ["Registry:Migrate"] = "true",
            ["ConnectionStrings:Registry"] = _primary.ConnectionString,
            ["ConnectionStrings:RegistryRead"] = _standby.ConnectionString,
        });
        // TTL 0: never cached, so every resolve reads the registry.
        await _node.RegisterAsync("88.118.8/OUT-1", "https://out.example/1", ttl: 0);
        var readyBefore = await ReadinessAsync();
        await Eventually.HoldsAsync(async () => await StandbyHasAsync("88.118.8/OUT-1"), TimeSpan.FromSeconds(20), "the standby replaying the write");

        await _primary.StopAsync();

        // Once the write's read-your-writes window has passed, the key is read from the standby again.
        await Eventually.HoldsAsync(async () => (await _node.Http.GetAsync("/api/handles/88.118.8/OUT-1")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "resolving from the standby with the primary down");
        var readyDuring = await ReadinessAsync();
        using var write = await _node.SendAsync(HttpMethod.Put, "/api/handles/88.118.8/OUT-2", """[{"index":1,"type":"URL","data":"https://out.example/2"}]""");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), readyBefore);
        Assert.Equal((HttpStatusCode.OK, "Degraded"), readyDuring);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
    }

    private async Task<(HttpStatusCode, string?)> ReadinessAsync()
    {
        using var answer = await _node!.Http.GetAsync("/readyz");
        return (answer.StatusCode, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    private async Task<bool> StandbyHasAsync(string key)
    {
        await using var connection = new NpgsqlConnection(_standby.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM handles WHERE key = @key)", connection);
        command.Parameters.AddWithValue("key", key);
        try
        {
            return (bool)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException)
        {
            return false; // the table itself not replayed yet
        }
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        await _standby.DisposeAsync();
        await _primary.DisposeAsync();
    }
}

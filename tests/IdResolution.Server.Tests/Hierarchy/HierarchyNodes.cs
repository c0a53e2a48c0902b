using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Hierarchy;

/// <summary>
/// The hierarchy on loopback, each node on its own PostgreSQL database with its own Redis keys: a top-level node T and a
/// secondary node A (prefix 88.118.8) filed with it. Tests start the other secondary nodes (B) they need, and may stop them.
/// </summary>
public sealed class HierarchyNodes : IAsyncLifetime
{
    private readonly List<(NodeServer Node, TestDatabase Database)> _started = [];

    public NodeServer TopLevel { get; private set; } = null!;

    public NodeServer A { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        TopLevel = await StartAsync(new() { ["Hierarchy:Role"] = "TopLevel", ["Node:Prefix"] = "88", ["Hierarchy:SiteTtlSeconds"] = "60" });
        A = await StartSecondaryAsync("88.118.8", "node-a");
    }

    /// <summary>A secondary node serving <paramref name="prefix"/>, filing with T under a site key named <paramref name="site"/>.</summary>
    public async Task<NodeServer> StartSecondaryAsync(string prefix, string site, Dictionary<string, string?>? settings = null) =>
        await StartAsync(Secondary(TopLevel.HttpUrl, TopLevel.NativePort, prefix, await IssueSiteKeyAsync(site), settings));

    /// <summary>Settings of a secondary node filing with a top-level node at the given addresses (which need not be up).</summary>
    public static Dictionary<string, string?> Secondary(Uri topLevel, int topLevelNative, string prefix, string key, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Node:Prefix"] = prefix,
            ["Hierarchy:TopLevelUrl"] = topLevel.ToString(),
            ["Hierarchy:TopLevelNative"] = $"127.0.0.1:{topLevelNative}",
            ["Hierarchy:TopLevelKey"] = key,
            ["Hierarchy:MaxRetryDelay"] = "00:00:01",
            ["Hierarchy:FilingPoll"] = "00:00:00.200",
            ["Hierarchy:ReportEvery"] = "00:00:00.500",
        };
        foreach (var (name, value) in settings ?? [])
        {
            all[name] = value;
        }

        return all;
    }

    public async Task<NodeServer> StartAsync(Dictionary<string, string?> settings)
    {
        var database = new TestDatabase();
        await database.CreateAsync();
        var all = database.NodeSettings();
        foreach (var (name, value) in settings)
        {
            all[name] = value;
        }

        var node = await NodeServer.StartAsync(all);
        _started.Add((node, database));
        return node;
    }

    /// <summary>Stops a node now (its database stays until the end).</summary>
    public async Task StopAsync(NodeServer node)
    {
        var index = _started.FindIndex(s => s.Node == node);
        await node.DisposeAsync();
        _started[index] = (null!, _started[index].Database);
    }

    public async Task<string> IssueSiteKeyAsync(string name)
    {
        using var response = await TopLevel.SendAsync(HttpMethod.Post, "/admin/keys", JsonSerializer.Serialize(new { name, role = "site" }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    public async Task DisposeAsync()
    {
        foreach (var (node, database) in Enumerable.Reverse(_started))
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }

            await database.DisposeAsync();
        }
    }
}

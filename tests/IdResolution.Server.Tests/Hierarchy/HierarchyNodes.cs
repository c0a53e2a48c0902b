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
        TopLevel = await StartAsync(TopLevelSettings());
        A = await StartSecondaryAsync("88.118.8", "node-a");
    }

    /// <summary>Settings of a top-level node (node prefix 88; loopback sites allowed, everything here being on loopback).</summary>
    public static Dictionary<string, string?> TopLevelSettings() =>
        new() { ["Hierarchy:Role"] = "TopLevel", ["Node:Prefix"] = "88", ["Hierarchy:SiteTtlSeconds"] = "60", ["Hierarchy:AllowLoopbackSites"] = "true" };

    /// <summary>A secondary node serving <paramref name="prefix"/>, filing with T under a site key named <paramref name="site"/> for that prefix.</summary>
    public async Task<NodeServer> StartSecondaryAsync(string prefix, string site, Dictionary<string, string?>? settings = null) =>
        await StartAsync(Secondary(TopLevel.HttpUrl, TopLevel.NativePort, prefix, await IssueSiteKeyAsync(TopLevel, site, prefix), settings));

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

    /// <summary>A node on a new database, or on <paramref name="database"/> (a restart).</summary>
    public async Task<NodeServer> StartAsync(Dictionary<string, string?> settings, TestDatabase? database = null)
    {
        if (database is null)
        {
            database = new TestDatabase();
            await database.CreateAsync();
        }

        var all = database.NodeSettings();
        foreach (var (name, value) in settings)
        {
            all[name] = value;
        }

        var node = await NodeServer.StartAsync(all);
        _started.Add((node, database));
        return node;
    }

    /// <summary>Stops a node now; its database stays until the end, and is returned for a restart.</summary>
    public async Task<TestDatabase> StopAsync(NodeServer node)
    {
        var index = _started.FindIndex(s => s.Node == node);
        await node.DisposeAsync();
        _started[index] = (null!, _started[index].Database);
        return _started[index].Database;
    }

    /// <summary>A site key issued by <paramref name="topLevel"/>, for the prefix tree under <paramref name="prefix"/>.</summary>
    public static async Task<string> IssueSiteKeyAsync(NodeServer topLevel, string name, string prefix)
    {
        using var response = await topLevel.SendAsync(HttpMethod.Post, "/admin/keys", JsonSerializer.Serialize(new { name, role = "site", identity = $"300:0.NA/{prefix}" }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    public async Task DisposeAsync()
    {
        foreach (var (node, _) in Enumerable.Reverse(_started))
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        foreach (var database in _started.Select(s => s.Database).Distinct())
        {
            await database.DisposeAsync();
        }
    }
}

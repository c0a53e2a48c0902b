namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>One running node per test class, on one registry provider. Tests use random names, so they never share data.</summary>
public abstract class NodeFixture : IAsyncLifetime
{
    public const string EnterprisePrefix = "88.118.8.1001";

    private NodeServer? _node;

    public NodeServer Node => _node ?? throw new InvalidOperationException("the node is not started");

    public async Task InitializeAsync()
    {
        var settings = await PrepareRegistryAsync();
        settings["Node:Prefix"] = "88.118.8";
        settings["Seeds:Load"] = "false";
        Configure(settings);
        _node = await NodeServer.StartAsync(settings);
        using var response = await _node.SendAsync(HttpMethod.Post, $"/api/prefixes/{EnterprisePrefix}");
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        await DropRegistryAsync();
    }

    /// <summary>Settings a derived fixture adds or changes.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    protected abstract Task<Dictionary<string, string?>> PrepareRegistryAsync();

    protected abstract Task DropRegistryAsync();
}

public class SqliteNodeFixture : NodeFixture
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "idres-test-" + Guid.NewGuid().ToString("N"));

    protected override Task<Dictionary<string, string?>> PrepareRegistryAsync()
    {
        return Task.FromResult(new Dictionary<string, string?>
        {
            ["Registry:Provider"] = "Sqlite",
            ["Node:DataDirectory"] = _directory,
        });
    }

    protected override Task DropRegistryAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>An embedded node whose memory cache holds only a handful of records, so that evictions happen.</summary>
public sealed class SmallCacheNodeFixture : SqliteNodeFixture
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Cache:MemoryBudgetBytes"] = "20000";
}

/// <summary>A fresh database on the PostgreSQL that scripts/test.sh started, with its Redis as L2.</summary>
public class PostgresNodeFixture : NodeFixture
{
    private readonly TestDatabase _database = new();

    /// <summary>The node's database, for looking (or changing things) behind its back.</summary>
    public TestDatabase Database => _database;

    protected override async Task<Dictionary<string, string?>> PrepareRegistryAsync()
    {
        await _database.CreateAsync();
        return _database.NodeSettings();
    }

    protected override async Task DropRegistryAsync() => await _database.DisposeAsync();
}

using Npgsql;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>A fresh database on a PostgreSQL server (by default the one scripts/test.sh started), dropped at the end.</summary>
public sealed class TestDatabase(string? adminConnectionString = null) : IAsyncDisposable
{
    private readonly string _admin = adminConnectionString ?? AdminConnectionString;

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("IDRES_TEST_POSTGRES")
        ?? throw new InvalidOperationException("IDRES_TEST_POSTGRES is not set: run the tests with scripts/test.sh, which starts PostgreSQL and Redis.");

    public static string RedisConfiguration =>
        Environment.GetEnvironmentVariable("IDRES_TEST_REDIS")
        ?? throw new InvalidOperationException("IDRES_TEST_REDIS is not set: run the tests with scripts/test.sh, which starts PostgreSQL and Redis.");

    public string Name { get; } = "idres_test_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_admin) { Database = Name }.ConnectionString;

    /// <summary>Node settings for a registry on this database with Redis as L2, keys isolated by the database name.</summary>
    public Dictionary<string, string?> NodeSettings(string? redis = null) => new()
    {
        ["Registry:Provider"] = "Postgres",
        ["Registry:Migrate"] = "true",
        ["ConnectionStrings:Registry"] = ConnectionString,
        ["ConnectionStrings:Redis"] = redis ?? RedisConfiguration,
        ["Cache:KeyPrefix"] = Name + ":",
    };

    public async Task CreateAsync() => await ExecuteAsync(_admin, $"CREATE DATABASE {Name}");

    /// <summary>Runs SQL on this database directly, behind the node's back (to observe what its caches do).</summary>
    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of every row a query returns, as text.</summary>
    public async Task<List<string>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_admin, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

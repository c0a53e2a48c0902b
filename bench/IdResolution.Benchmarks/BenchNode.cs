using IdResolution.Core.Handles;
using IdResolution.Core.Json;
using IdResolution.Registry;
using IdResolution.Server.Resolution;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace IdResolution.Benchmarks;

/// <summary>
/// The node's resolve stack (registry, caches, resolver) composed as the server composes it, without Kestrel,
/// on a fresh registry holding <c>88.118.8.1001/B-0</c> .. <c>B-{count-1}</c>.
/// </summary>
public sealed class BenchNode : IAsyncDisposable
{
    public const string Prefix = "88.118.8.1001";

    private readonly ServiceProvider _services;
    private readonly Action _dispose;

    private BenchNode(ServiceProvider services, Action dispose)
    {
        _services = services;
        _dispose = dispose;
    }

    public HandleResolver Resolver => _services.GetRequiredService<HandleResolver>();

    public IServiceProvider Services => _services;

    public static string Handle(int i) => $"{Prefix}/B-{i}";

    /// <summary>
    /// A stack over <paramref name="count"/> identifiers: on a fresh database of IDRES_TEST_POSTGRES when
    /// <paramref name="postgres"/>, else a SQLite file; with IDRES_TEST_REDIS as L2 when <paramref name="redis"/>;
    /// with L1 unless <paramref name="memory"/> is false.
    /// </summary>
    public static async Task<BenchNode> StartAsync(int count, bool postgres = false, bool redis = false, bool memory = true)
    {
        var settings = new Dictionary<string, string?> { ["Cache:Memory"] = memory.ToString(), ["Cache:KeyPrefix"] = $"bench-{Guid.NewGuid():N}:" };
        Action dispose;
        if (postgres)
        {
            var (connectionString, drop) = await CreateDatabaseAsync();
            settings["Registry:Provider"] = "Postgres";
            settings["ConnectionStrings:Registry"] = connectionString;
            dispose = drop;
        }
        else
        {
            var directory = Directory.CreateTempSubdirectory("idres-bench-").FullName;
            settings["Node:DataDirectory"] = directory;
            dispose = () => Directory.Delete(directory, recursive: true);
        }

        if (redis)
        {
            settings["ConnectionStrings:Redis"] = Required("IDRES_TEST_REDIS");
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddRegistry(configuration)
            .AddResolution(configuration)
            .AddSingleton<Server.Statistics.PrefixCounters>()
            .BuildServiceProvider();
        await SeedAsync(services, count);
        return new BenchNode(services, dispose);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        _dispose();
    }

    private static async Task SeedAsync(IServiceProvider services, int count)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RegistryContext>().Database.MigrateAsync();
        await scope.ServiceProvider.GetRequiredService<PrefixRegistry>().CreateAsync(PrefixName.Parse(Prefix), owner: null, CancellationToken.None);
        var registry = scope.ServiceProvider.GetRequiredService<HandleRegistry>();
        using var values = System.Text.Json.JsonDocument.Parse(SampleValues);
        var parsed = HandleJsonReader.ReadValues(values.RootElement, out _);
        for (var i = 0; i < count; i++)
        {
            await registry.CreateAsync(HandleName.Parse(Handle(i)), parsed, CancellationToken.None);
        }

        // The same record under an OID arc and a GS1 company prefix, for the other schemes' resolves.
        var prefixes = scope.ServiceProvider.GetRequiredService<PrefixRegistry>();
        await prefixes.CreateAsync(PrefixName.Parse("oid:1.2.156.1001"), owner: null, CancellationToken.None);
        await prefixes.CreateAsync(PrefixName.Parse("gs1:9506000"), owner: null, CancellationToken.None);
        await registry.CreateAsync(HandleName.Parse(Oid), parsed, CancellationToken.None);
        await registry.CreateAsync(HandleName.Parse(Gs1), parsed, CancellationToken.None);
    }

    /// <summary>An OID and a GTIN + serial registered with the sample record, in the forms clients send.</summary>
    public const string Oid = "1.2.156.1001.7.42";
    public const string Gs1 = "GS1/01/09506000134352/21/S1";

    /// <summary>A typical product record: a URL, a contact, an admin, four metadata fields (about 600 bytes of JSON).</summary>
    public const string SampleValues = """
        [{"index":1,"type":"URL","data":"https://example.com/products/shampoo/2026-000123"},
         {"index":2,"type":"EMAIL","data":"quality@daily-chem.example.com"},
         {"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"0.NA/88.118.8.1001","index":200,"permissions":"011111110011"}}},
         {"index":2000,"type":"productName","data":"草本洗发水 500ml"},
         {"index":2001,"type":"batchNumber","data":"B2026-03-17-A"},
         {"index":2002,"type":"productionDate","data":"2026-03-17"},
         {"index":2003,"type":"manufacturer","data":"Daily Chemicals Co."}]
        """;

    private static async Task<(string ConnectionString, Action Drop)> CreateDatabaseAsync()
    {
        var admin = Required("IDRES_TEST_POSTGRES");
        var name = "idres_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {name}", connection).ExecuteNonQueryAsync();
        }

        void Drop()
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(admin);
            connection.Open();
            new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection).ExecuteNonQuery();
        }

        return (new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString, Drop);
    }

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable)
        ?? throw new InvalidOperationException($"{variable} is not set: run benchmarks through bench/micro.sh, which starts PostgreSQL and Redis.");
}

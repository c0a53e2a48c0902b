using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Registry;
using IdResolution.Server.Tests.Infrastructure;
using IdResolution.Server.Tests.Traceability;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// The PostgreSQL registry's growing tables are hash-partitioned by its migrations: identifiers by key, events by
/// row id, eventIDs by eventID. Lookups reach one partition, and rows written before the migration survive it.
/// </summary>
public sealed class PartitioningTests
{
    private const string Prefix = NodeFixture.EnterprisePrefix;

    private static readonly string[] Partitioned = ["epcis_event_ids", "epcis_events", "handles"];

    [Fact]
    public async Task AMigratedRegistry_PartitionsIdentifiersEventsAndEventIds_AndALookupReadsOnePartition()
    {
        await using var database = new TestDatabase();
        await database.CreateAsync();
        await using (var node = await StartAsync(database))
        {
            for (var i = 0; i < 64; i++)
            {
                await node.RegisterAsync($"{Prefix}/PART-{i}", $"https://example.com/{i}");
            }

            Assert.Equal("https://example.com/17", await node.UrlAsync($"{Prefix}/PART-17"));
        }

        Assert.Equal(Partitioned, await database.QueryAsync("SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1"));
        foreach (var table in Partitioned)
        {
            Assert.Equal("16", (await database.QueryAsync($"SELECT count(*) FROM pg_inherits WHERE inhparent = '{table}'::regclass"))[0]);
        }

        // 64 keys hashed over 16 partitions: all in one would mean the hash was not used.
        var used = int.Parse((await database.QueryAsync("SELECT count(DISTINCT tableoid) FROM handles"))[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(used, 8, 16);
        var plan = string.Join('\n', await database.QueryAsync($"EXPLAIN SELECT values FROM handles WHERE key = '{Prefix}/PART-17'"));
        Assert.Single(plan.Split('\n'), line => line.Contains(" on handles_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PartitionCount_FollowsTheDatabaseSetting()
    {
        await using var database = new TestDatabase();
        await database.CreateAsync();
        await database.ExecuteAsync($"ALTER DATABASE {database.Name} SET idres.partitions = 4");
        // The setting applies to new sessions, not to the pooled one that ran the statement.
        Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(database.ConnectionString));

        await using (var context = Context(database))
        {
            await context.Database.MigrateAsync();
        }

        foreach (var table in Partitioned)
        {
            Assert.Equal("4", (await database.QueryAsync($"SELECT count(*) FROM pg_inherits WHERE inhparent = '{table}'::regclass"))[0]);
        }
    }

    [Fact]
    public async Task RowsWrittenBeforePartitioning_SurviveTheMigration_AndCaptureStaysIdempotent()
    {
        await using var database = new TestDatabase();
        await database.CreateAsync();
        var chain = new SupplyChain(Prefix);
        var document = chain.Document(chain.Events());
        await using (var node = await StartAsync(database))
        {
            await node.RegisterAsync($"{Prefix}/BEFORE", "https://example.com/before");
            Assert.Equal(16, (await CaptureAsync(node, document)).GetProperty("stored").GetInt32());
        }

        // Back to the unpartitioned schema with the rows in it, as a registry from before this migration was.
        await using (var context = Context(database))
        {
            await context.GetService<IMigrator>().MigrateAsync("20261127125756_Hierarchy");
        }

        Assert.Empty(await database.QueryAsync("SELECT partrelid FROM pg_partitioned_table"));
        Assert.Equal("16", (await database.QueryAsync("SELECT count(DISTINCT event_id) FROM epcis_events"))[0]);

        await using (var node = await StartAsync(database))
        {
            Assert.Equal("https://example.com/before", await node.UrlAsync($"{Prefix}/BEFORE"));
            var again = await CaptureAsync(node, document);
            Assert.Equal(0, again.GetProperty("stored").GetInt32());
            Assert.Equal(16, again.GetProperty("duplicates").GetInt32());
            var more = chain.Events(); // new eventIDs
            Assert.Equal(16, (await CaptureAsync(node, chain.Document(more))).GetProperty("stored").GetInt32());
            using var one = await node.Http.GetAsync($"/epcis/events/{Uri.EscapeDataString((string)more[0]["eventID"]!)}");
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        }

        Assert.Equal(Partitioned, await database.QueryAsync("SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1"));
        // The identity goes on after the copied rows: 32 events, 32 distinct ids, each eventID registered once.
        Assert.Equal(["32", "32", "32"], await database.QueryAsync(
            "SELECT count(*) FROM epcis_events UNION ALL SELECT count(DISTINCT id) FROM epcis_events UNION ALL SELECT count(*) FROM epcis_event_ids"));
    }

    private static async Task<NodeServer> StartAsync(TestDatabase database)
    {
        var settings = database.NodeSettings();
        // Memory cache only: every first read comes from the registry.
        settings.Remove("ConnectionStrings:Redis");
        settings["Node:Prefix"] = "88.118.8";
        settings["Seeds:Load"] = "false";
        var node = await NodeServer.StartAsync(settings);
        using var response = await node.SendAsync(HttpMethod.Post, $"/api/prefixes/{Prefix}");
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict, response.StatusCode.ToString());
        return node;
    }

    private static PostgresRegistryContext Context(TestDatabase database) =>
        new(new DbContextOptionsBuilder<PostgresRegistryContext>().UseNpgsql(database.ConnectionString).UseSnakeCaseNamingConvention().Options);

    private static async Task<JsonElement> CaptureAsync(NodeServer node, string document)
    {
        using var response = await node.SendAsync(HttpMethod.Post, "/epcis/capture", document);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdResolution.Registry;
using IdResolution.Server.Tests.Infrastructure;
using IdResolution.Server.Tests.Traceability;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// The PostgreSQL registry's growing tables are partitioned by its migrations: identifiers hashed by key, eventIDs by
/// eventID, events by ranges of row id made ahead as captures go. Lookups reach one partition, and rows written before
/// the migration survive it.
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

            // The dashboard's registry size counts the partitions' rows (PostgreSQL's statistics, sent within a second or so).
            await Eventually.HoldsAsync(
                async () =>
                {
                    await using var scope = node.Services.CreateAsyncScope();
                    return await scope.ServiceProvider.GetRequiredService<HandleRegistry>().CountAsync(CancellationToken.None) == 64;
                },
                TimeSpan.FromSeconds(15),
                "the registry counts 64 identifiers");
        }

        Assert.Equal(Partitioned, await database.QueryAsync("SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1"));
        Assert.Equal(["16", "16"], [await PartitionCountAsync(database, "handles"), await PartitionCountAsync(database, "epcis_event_ids")]);
        Assert.Equal(["epcis_events_0", "epcis_events_1", "epcis_events_default"], await EventPartitionsAsync(database));

        // 64 keys hashed over 16 partitions: all in one would mean the hash was not used.
        var used = int.Parse((await database.QueryAsync("SELECT count(DISTINCT tableoid) FROM handles"))[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(used, 8, 16);
        Assert.Single(ScannedPartitions(await database.QueryAsync($"EXPLAIN SELECT values FROM handles WHERE key = '{Prefix}/PART-17'"), "handles"));
    }

    [Fact]
    public async Task PartitionCount_FollowsTheDatabaseSetting()
    {
        await using var database = await DatabaseWithAsync("idres.partitions", "4");

        await using (var context = Context(database))
        {
            await context.Database.MigrateAsync();
        }

        Assert.Equal(["4", "4"], [await PartitionCountAsync(database, "handles"), await PartitionCountAsync(database, "epcis_event_ids")]);
    }

    [Fact]
    public async Task EventRanges_AreMadeAheadOfTheCapturedIds_SoNoEventLandsInTheDefaultPartition()
    {
        await using var database = await DatabaseWithAsync("idres.event_partition_rows", "10000");
        var chain = new SupplyChain(Prefix);
        await using var node = await StartAsync(database);
        Assert.Equal(["epcis_events_0", "epcis_events_1", "epcis_events_default"], await EventPartitionsAsync(database));

        // As if 9,990 events had been captured: the next 16 take ids 9,991-10,006, into the range made ahead, and
        // the capture makes the range after it.
        await database.ExecuteAsync("SELECT setval(pg_get_serial_sequence('epcis_events', 'id'), 9990)");
        Assert.Equal(16, (await CaptureAsync(node, chain.Document(chain.Events()))).GetProperty("stored").GetInt32());
        Assert.Equal(["epcis_events_0", "epcis_events_1", "epcis_events_2", "epcis_events_default"], await EventPartitionsAsync(database));
        Assert.Equal(16, (await CaptureAsync(node, chain.Document(chain.Events()))).GetProperty("stored").GetInt32());
        Assert.Equal(["epcis_events_0", "epcis_events_1", "epcis_events_2", "epcis_events_default"], await EventPartitionsAsync(database));

        // None in the default partition; a lookup by id reads one range.
        Assert.Equal(["epcis_events_0 9", "epcis_events_1 23"],
            await database.QueryAsync("SELECT tableoid::regclass || ' ' || count(*) FROM epcis_events GROUP BY tableoid ORDER BY 1"));
        Assert.Equal(["epcis_events_1"], ScannedPartitions(await database.QueryAsync("EXPLAIN SELECT json FROM epcis_events WHERE id = 10003"), "epcis_events"));
    }

    /// <summary>The partitions of <paramref name="table"/> a plan reads (its scan lines name them, "on handles_7 h").</summary>
    private static List<string> ScannedPartitions(List<string> plan, string table) =>
        [.. plan.SelectMany(line => Regex.Matches(line, $@" on ({table}_\w+)").Select(m => m.Groups[1].Value)).Distinct()];

    private static async Task<string> PartitionCountAsync(TestDatabase database, string table) =>
        (await database.QueryAsync($"SELECT count(*) FROM pg_inherits WHERE inhparent = '{table}'::regclass"))[0];

    private static Task<List<string>> EventPartitionsAsync(TestDatabase database) =>
        database.QueryAsync("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'epcis_events'::regclass ORDER BY 1");

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

    /// <summary>A new database whose sessions have <paramref name="setting"/> set, as an operator would before migrating.</summary>
    private static async Task<TestDatabase> DatabaseWithAsync(string setting, string value)
    {
        var database = new TestDatabase();
        await database.CreateAsync();
        await database.ExecuteAsync($"ALTER DATABASE {database.Name} SET {setting} = {value}");
        // The setting applies to new sessions, not to the pooled one that ran the statement.
        Npgsql.NpgsqlConnection.ClearPool(new Npgsql.NpgsqlConnection(database.ConnectionString));
        return database;
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

using IdResolution.Registry;
using IdResolution.Server.Tests.Infrastructure;
using Npgsql;

namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// The resolve path's own PostgreSQL connections (<see cref="RegistryReadSource"/>): generic plans, no reset, and
/// multiplexing only when the connection string asks for it; the multi-host strings the docs show keep working.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class ReadPathTests
{
    [Theory]
    [InlineData("Host=db;Database=idres", false, "-c plan_cache_mode=force_generic_plan")]
    [InlineData("Host=db;Database=idres;Multiplexing=true;Options=-c statement_timeout=5s", true, "-c statement_timeout=5s -c plan_cache_mode=force_generic_plan")]
    [InlineData("Host=s1,s2;Database=idres;Target Session Attributes=prefer-standby;Load Balance Hosts=true", false, "-c plan_cache_mode=force_generic_plan")]
    public void ReadConnections_ForceGenericPlans_SkipTheReset_AndMultiplexOnlyWhenAsked(string connectionString, bool multiplexed, string options)
    {
        var reads = RegistryReadSource.ForReads(new NpgsqlConnectionStringBuilder(connectionString));

        Assert.Equal(multiplexed, reads.Multiplexing);
        Assert.True(reads.NoResetOnClose);
        Assert.Equal(options, reads.Options);
    }

    [Fact]
    public async Task ANodeOnMultiHostStrings_ForPrimaryAndStandby_RegistersAndResolvesFromTheRegistry()
    {
        await using var database = new TestDatabase();
        await database.CreateAsync();
        await StandbyServer.WaitForAsync(database);
        var primary = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1,127.0.0.1", TargetSessionAttributes = "read-write" };
        var standby = new NpgsqlConnectionStringBuilder(StandbyServer.ConnectionString(database)) { Host = "127.0.0.1,127.0.0.1", TargetSessionAttributes = "prefer-standby", LoadBalanceHosts = true };
        var settings = database.NodeSettings();
        settings.Remove("ConnectionStrings:Redis");
        settings["ConnectionStrings:Registry"] = primary.ConnectionString;
        settings["ConnectionStrings:RegistryRead"] = standby.ConnectionString;
        settings["Cache:Memory"] = "false";
        settings["Node:Prefix"] = "88.118.8";
        settings["Seeds:Load"] = "false";
        await using var node = await NodeServer.StartAsync(settings);
        (await node.SendAsync(HttpMethod.Post, $"/api/prefixes/{NodeFixture.EnterprisePrefix}")).EnsureSuccessStatusCode();

        await node.RegisterAsync($"{NodeFixture.EnterprisePrefix}/MULTI-1", "https://example.com/multi");

        // Without a cache every answer is a registry read: the primary's while the write is fresh; a row written
        // behind the node's back is read wherever the node reads (the standby once it is in rotation).
        Assert.Equal("https://example.com/multi", await node.UrlAsync($"{NodeFixture.EnterprisePrefix}/MULTI-1"));
        await database.ExecuteAsync($"INSERT INTO handles SELECT '{NodeFixture.EnterprisePrefix}/MULTI-2', '{NodeFixture.EnterprisePrefix}/MULTI-2', prefix, 1, values, 0, 0 FROM handles WHERE key = '{NodeFixture.EnterprisePrefix}/MULTI-1'");
        await StandbyServer.CatchUpAsync();
        await Eventually.HoldsAsync(
            async () => await node.UrlAsync($"{NodeFixture.EnterprisePrefix}/MULTI-2") == "https://example.com/multi",
            TimeSpan.FromSeconds(10),
            "the row written behind the node's back resolves");
    }
}

using System.Net;
using IdResolution.Registry;
using IdResolution.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// Registry lookups of concurrent resolves go to PostgreSQL together (<see cref="CoalescedLookups"/>): each caller
/// gets its own record, a caller giving up does not disturb the others, and a failed query fails only its callers.
/// </summary>
public sealed class CoalescedLookupsTests
{
    private const string Prefix = NodeFixture.EnterprisePrefix;

    [Fact]
    public async Task ConcurrentResolvesWithoutACache_ShareQueries_AndEachGetsItsOwnRecord()
    {
        await using var registry = await LookupNode.StartAsync(queries: 1, registered: 40);
        var (node, lookups) = (registry.Node, registry.Lookups);
        var before = lookups.QueriesSent;
        var names = Enumerable.Range(0, 160).Select(i => i % 40).ToArray();
        var urls = await Task.WhenAll(names.Select(i => node.UrlAsync($"{Prefix}/CO-{i}")));
        var sent = lookups.QueriesSent - before;

        Assert.Equal(names.Select(i => $"https://example.com/co/{i}"), urls);
        Assert.InRange(sent, 1, names.Length - 1);

        // Unregistered names in the same rush are still told apart from registered ones.
        var mixed = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => node.Http.GetAsync($"/api/handles/{Prefix}/{(i % 2 == 0 ? "CO" : "NONE")}-{i}")));
        Assert.All(mixed.Select((answer, i) => (answer, i)), a => Assert.Equal(a.i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.NotFound, a.answer.StatusCode));
    }

    [Fact]
    public async Task LookupsArrivingWhileAQueryRuns_GoTogetherInTheNext_AndACallerGivingUpLeavesTheOthersAnswered()
    {
        await using var registry = await LookupNode.StartAsync(queries: 1, registered: 3);
        var lookups = registry.Lookups;

        await using var blocker = await registry.LockHandlesAsync();
        var before = lookups.QueriesSent;
        var first = lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None);
        await registry.WaitForBlockedLookupsAsync(1);
        using var givingUp = new CancellationTokenSource();
        var abandoned = lookups.FindAsync($"{Prefix}/CO-1", givingUp.Token);
        var second = lookups.FindAsync($"{Prefix}/CO-2", CancellationToken.None);
        var missing = lookups.FindAsync($"{Prefix}/NONE", CancellationToken.None);
        await givingUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.False(first.IsCompleted);
        await CommitAsync(blocker);

        Assert.Equal($"{Prefix}/CO-1", (await first)?.Handle);
        Assert.Equal($"{Prefix}/CO-2", (await second)?.Handle);
        Assert.Null(await missing);
        Assert.Equal(2, lookups.QueriesSent - before);
    }

    [Fact]
    public async Task AFullQuerysWorthWaiting_StartsAnotherQuery_UpToTheLimit()
    {
        await using var registry = await LookupNode.StartAsync(queries: 2, registered: 2);
        var lookups = registry.Lookups;

        await using var blocker = await registry.LockHandlesAsync();
        var all = new List<Task<Core.Values.HandleRecord?>> { lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None) };
        for (var i = 0; i < 2 * CoalescedLookups.MaxKeys; i++)
        {
            all.Add(lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None));
        }

        // More than one query's worth waiting: a second query took a full share at once (and waits on the lock too).
        await registry.WaitForBlockedLookupsAsync(2);
        all.Add(lookups.FindAsync($"{Prefix}/NONE", CancellationToken.None));
        await CommitAsync(blocker);

        var found = await Task.WhenAll(all);
        Assert.All(found[..^1], record => Assert.Equal($"{Prefix}/CO-1", record?.Handle));
        Assert.Null(found[^1]);
    }

    [Fact]
    public async Task AQueryStuckPastTheStallTime_DoesNotHoldALookupWaitingBehindIt()
    {
        // A stall time long enough that the lookup below arrives before it: only the timer can rescue it.
        await using var registry = await LookupNode.StartAsync(queries: 2, registered: 2, stallAfter: "00:00:01");
        var lookups = registry.Lookups;

        await using var blocker = await registry.LockHandlesAsync();
        var all = new List<Task<Core.Values.HandleRecord?>> { lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None) };
        await registry.WaitForBlockedLookupsAsync(1);

        // One more lookup and no others after it: once the stuck query has run for the stall time, it gets a query of
        // its own instead of waiting behind it.
        all.Add(lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None));
        await registry.WaitForBlockedLookupsAsync(2);
        await CommitAsync(blocker);

        Assert.All(await Task.WhenAll(all), record => Assert.Equal($"{Prefix}/CO-1", record?.Handle));
    }

    [Fact]
    public async Task ARowThatCannotBeRead_FailsOnlyTheLookupsOfItsKey()
    {
        await using var registry = await LookupNode.StartAsync(queries: 1, registered: 2);
        await registry.Database.ExecuteAsync($"INSERT INTO handles SELECT '{Prefix}/BROKEN', '{Prefix}/BROKEN', prefix, 1, '\\x0001'::bytea, 0, 0 FROM handles WHERE key = '{Prefix}/CO-1'");
        var lookups = registry.Lookups;

        await using var blocker = await registry.LockHandlesAsync();
        var first = lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None);
        await registry.WaitForBlockedLookupsAsync(1);
        var broken = lookups.FindAsync($"{Prefix}/BROKEN", CancellationToken.None);
        var sound = lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None);
        var before = lookups.QueriesSent;
        await CommitAsync(blocker);

        await Assert.ThrowsAsync<FormatException>(() => broken);
        Assert.Equal($"{Prefix}/CO-1", (await sound)?.Handle);
        Assert.Equal($"{Prefix}/CO-1", (await first)?.Handle);
        Assert.Equal(1, lookups.QueriesSent - before);
    }

    [Fact]
    public async Task AFailedQuery_FailsItsCallers_AndLaterLookupsAreSentAgain()
    {
        await using var registry = await LookupNode.StartAsync(queries: 1, registered: 2);
        var lookups = registry.Lookups;

        await using var blocker = await registry.LockHandlesAsync();
        var first = lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None);
        await registry.WaitForBlockedLookupsAsync(1);
        var queued = new[] { lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None), lookups.FindAsync($"{Prefix}/NONE", CancellationToken.None) };
        await registry.TerminateBlockedLookupsAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => first);

        // The queued two went in the next query, itself blocked; ended too, both fail.
        await registry.WaitForBlockedLookupsAsync(1);
        await registry.TerminateBlockedLookupsAsync();
        foreach (var lookup in queued)
        {
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => lookup);
        }

        await CommitAsync(blocker);
        Assert.Equal($"{Prefix}/CO-1", (await lookups.FindAsync($"{Prefix}/CO-1", CancellationToken.None))?.Handle);
        Assert.Equal("https://example.com/co/1", await registry.Node.UrlAsync($"{Prefix}/CO-1"));
    }

    private static async Task CommitAsync(NpgsqlConnection blocker)
    {
        await using var command = new NpgsqlCommand("COMMIT", blocker);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A fresh database and a node reading the registry on every resolve, with at most <c>queries</c> lookup queries at
    /// a time and records CO-0 .. CO-(registered - 1) (URL https://example.com/co/N).
    /// </summary>
    private sealed class LookupNode(TestDatabase database, NodeServer node) : IAsyncDisposable
    {
        private const string BlockedLookups = "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%unnest(%'";

        public TestDatabase Database { get; } = database;

        public NodeServer Node { get; } = node;

        public CoalescedLookups Lookups => Node.Services.GetRequiredService<CoalescedLookups>();

        public static async Task<LookupNode> StartAsync(int queries, int registered, string? stallAfter = null)
        {
            var database = new TestDatabase();
            await database.CreateAsync();
            var settings = database.NodeSettings();
            settings.Remove("ConnectionStrings:Redis");
            settings["Cache:Memory"] = "false";
            settings["Registry:LookupQueries"] = queries.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Node:Prefix"] = "88.118.8";
            settings["Seeds:Load"] = "false";
            if (stallAfter is not null)
            {
                settings["Registry:LookupStallAfter"] = stallAfter;
            }

            var node = await NodeServer.StartAsync(settings);
            (await node.SendAsync(HttpMethod.Post, $"/api/prefixes/{Prefix}")).EnsureSuccessStatusCode();
            for (var i = 0; i < registered; i++)
            {
                await node.RegisterAsync($"{Prefix}/CO-{i}", $"https://example.com/co/{i}");
            }

            return new LookupNode(database, node);
        }

        /// <summary>A connection in a transaction holding the handles table: lookups wait until <see cref="CommitAsync"/>.</summary>
        public async Task<NpgsqlConnection> LockHandlesAsync()
        {
            var connection = new NpgsqlConnection(Database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("BEGIN; LOCK TABLE handles IN ACCESS EXCLUSIVE MODE", connection);
            await command.ExecuteNonQueryAsync();
            return connection;
        }

        public async Task<int> BlockedLookupsAsync() =>
            int.Parse((await Database.QueryAsync($"SELECT count(*) {BlockedLookups}"))[0], System.Globalization.CultureInfo.InvariantCulture);

        public async Task WaitForBlockedLookupsAsync(int count) =>
            await Eventually.HoldsAsync(async () => await BlockedLookupsAsync() == count, TimeSpan.FromSeconds(10), $"{count} lookup queries waiting on the lock");

        public async Task TerminateBlockedLookupsAsync() =>
            await Database.QueryAsync($"SELECT pg_terminate_backend(pid) {BlockedLookups}");

        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}

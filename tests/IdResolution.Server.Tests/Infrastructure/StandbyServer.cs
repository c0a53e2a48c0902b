using Npgsql;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>The streaming standby scripts/test.sh starts beside the PostgreSQL primary: replay paused and resumed, stopped and started.</summary>
public static class StandbyServer
{
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("IDRES_TEST_POSTGRES_STANDBY")
        ?? throw new InvalidOperationException("IDRES_TEST_POSTGRES_STANDBY is not set: run the tests with scripts/test.sh, which starts a standby.");

    /// <summary>The standby's copy of a test database.</summary>
    public static string ConnectionString(TestDatabase database) => new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database.Name }.ConnectionString;

    /// <summary>Waits until the standby has replayed the database's creation.</summary>
    public static Task WaitForAsync(TestDatabase database) =>
        Eventually.HoldsAsync(async () => await ScalarAsync<bool>(AdminConnectionString, $"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{database.Name}')"),
            TimeSpan.FromSeconds(30), $"the standby replaying {database.Name}");

    /// <summary>Waits until the standby has replayed everything the primary has written so far.</summary>
    public static async Task CatchUpAsync()
    {
        var primary = await ScalarAsync<string>(TestDatabase.AdminConnectionString, "SELECT pg_current_wal_lsn()::text");
        await Eventually.HoldsAsync(
            async () => await ScalarAsync<bool>(AdminConnectionString, $"SELECT pg_last_wal_replay_lsn() >= '{primary}'::pg_lsn"),
            TimeSpan.FromSeconds(30), "the standby catching up");
    }

    public static Task PauseReplayAsync() => ScalarAsync<object>(AdminConnectionString, "SELECT pg_wal_replay_pause()::text");

    public static Task ResumeReplayAsync() => ScalarAsync<object>(AdminConnectionString, "SELECT pg_wal_replay_resume()::text");

    public static Task StopAsync() => PostgresInstance.RunAsPostgresAsync(PgCtl, "-D", Data, "-m", "immediate", "-w", "stop");

    public static async Task StartAsync()
    {
        await PostgresInstance.RunAsPostgresAsync(PgCtl, "-D", Data, "-l", Path.Combine(Data, "..", "pg-standby.log"), "-w", "start");
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                return await ScalarAsync<bool>(AdminConnectionString, "SELECT pg_is_in_recovery()");
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the standby accepting reads again");
    }

    private static string PgCtl => Path.Combine(Environment.GetEnvironmentVariable("IDRES_PG_BIN")!, "pg_ctl");

    private static string Data => Environment.GetEnvironmentVariable("IDRES_PG_STANDBY_DATA")!;

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

using System.Diagnostics;
using IdResolution.Server.Tests.Infrastructure;
using Npgsql;

namespace IdResolution.Server.Tests.Startup;

/// <summary>The documented `migrate` command prepares a PostgreSQL registry and exits.</summary>
public sealed class MigrateCommandTests
{
    [Fact]
    public async Task Migrate_CreatesTheRegistrySchema_AndExits()
    {
        var database = "idres_migrate_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new NpgsqlConnection(TestDatabase.AdminConnectionString);
        await admin.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE {database}", admin).ExecuteNonQueryAsync();
        var connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.AdminConnectionString) { Database = database }.ConnectionString;
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "IdResolution.Server.dll"), "migrate", "--Registry:Provider=Postgres", $"--ConnectionStrings:Registry={connectionString}" })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);

            Assert.True(process.ExitCode == 0, await output + await process.StandardError.ReadToEndAsync());
            await using var registry = new NpgsqlConnection(connectionString);
            await registry.OpenAsync();
            var tables = new List<string>();
            await using var reader = await new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", registry).ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }

            Assert.Contains("handles", tables);
            Assert.Contains("prefixes", tables);
            Assert.Contains("access_keys", tables);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin).ExecuteNonQueryAsync();
        }
    }
}

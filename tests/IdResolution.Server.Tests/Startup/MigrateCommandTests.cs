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
        await using var database = new TestDatabase();
        await database.CreateAsync();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "IdResolution.Server.dll"), "migrate", "--Registry:Provider=Postgres", $"--ConnectionStrings:Registry={database.ConnectionString}" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, await output + await process.StandardError.ReadToEndAsync());
        await using var registry = new NpgsqlConnection(database.ConnectionString);
        await registry.OpenAsync();
        var tables = new List<string>();
        await using (var reader = await new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", registry).ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("handles", tables);
        Assert.Contains("prefixes", tables);
        Assert.Contains("access_keys", tables);
    }
}

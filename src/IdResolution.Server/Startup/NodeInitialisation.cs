using IdResolution.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Startup;

/// <summary>What happens once before the node serves: migrations, its own prefix, the operator key, sample data.</summary>
public static partial class NodeInitialisation
{
    public static async Task MigrateRegistryAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RegistryContext>();
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
        {
            // WAL lets resolves read while a write commits; it persists in the database file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }

        LogMigrated(app.Logger, db.Database.ProviderName ?? "?");
    }

    public static async Task InitialiseNodeAsync(this WebApplication app)
    {
        var registry = app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value;
        if (registry.MigrateAtStart)
        {
            await app.MigrateRegistryAsync();
        }

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var prefixes = services.GetRequiredService<PrefixRegistry>();
        await prefixes.CreateAsync(prefixes.NodePrefix, owner: null, CancellationToken.None);
        if (services.GetRequiredService<IOptions<HierarchyOptions>>().Value.Role == NodeRole.TopLevel)
        {
            await prefixes.ServeNamingAuthorityAsync(CancellationToken.None);
        }

        await OperatorKey.EnsureAsync(app, services);
        await SeedLoader.LoadOnFirstStartAsync(app, services);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registry migrated ({Provider})")]
    private static partial void LogMigrated(ILogger logger, string provider);
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IdResolution.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the registry on the configured provider: PostgreSQL with <c>ConnectionStrings:Registry</c>, or the
    /// embedded SQLite file under <c>Node:DataDirectory</c>.
    /// </summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RegistryOptions>(configuration.GetSection(RegistryOptions.Section));
        services.Configure<NodeOptions>(configuration.GetSection(NodeOptions.Section));
        services.Configure<HierarchyOptions>(configuration.GetSection(HierarchyOptions.Section));
        services.AddSingleton<FilingNotice>();

        var options = configuration.GetSection(RegistryOptions.Section).Get<RegistryOptions>() ?? new RegistryOptions();
        var connectionString = configuration.GetConnectionString("Registry");
        var commands = new RegistryCommandCounter();
        services.AddSingleton(commands);
        if (options.Provider == RegistryProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException("Registry:Provider is Postgres but ConnectionStrings:Registry is not set.");
            }

            var npgsql = Prepared(connectionString);

            // Named, so that metrics label the pool "registry" instead of with its connection string; owned (and disposed) by the container.
            services.AddSingleton(_ => new Npgsql.NpgsqlDataSourceBuilder(npgsql.ConnectionString) { Name = "registry" }.Build());
            services.AddSingleton(_ => new RegistryReadSource(
                new Npgsql.NpgsqlDataSourceBuilder(RegistryReadSource.ForReads(npgsql).ConnectionString) { Name = "registry-reads" }.Build()));
            services.AddSingleton<CoalescedLookups>();
            services.AddDbContextPool<RegistryContext, PostgresRegistryContext>((sp, o) =>
                o.UseNpgsql(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()).UseSnakeCaseNamingConvention().AddInterceptors(commands));
            AddStandby(services, configuration.GetConnectionString("RegistryRead"), commands);
        }
        else
        {
            connectionString ??= SqliteConnectionString(configuration);
            services.AddDbContextPool<RegistryContext, SqliteRegistryContext>(o => o.UseSqlite(connectionString).UseSnakeCaseNamingConvention().AddInterceptors(commands));
        }

        services.AddSingleton(TimeProvider.System);
        services.AddScoped<HandleRegistry>();
        services.AddScoped<PrefixRegistry>();
        services.AddScoped<TemplateStore>();
        services.AddScoped<Import.HandleImport>();
        services.AddScoped<AccessKeyStore>();
        services.AddScoped<EnterpriseStore>();
        services.AddScoped<AuditLog>();
        services.AddScoped<WriteActor>();
        services.AddScoped<Traceability.EventCapture>();
        services.AddMetrics();
        services.AddSingleton<Traceability.CaptureMetrics>();
        services.AddScoped<Traceability.EventQueries>();
        services.AddScoped<Traceability.ObjectAliases>();
        services.AddScoped<StatisticsStore>();
        services.AddSingleton<StandbyReads>();
        services.AddSingleton<IHandleWriteListener>(sp => sp.GetRequiredService<StandbyReads>());
        return services;
    }

    /// <summary>Resolves read a standby when <c>ConnectionStrings:RegistryRead</c> names one (several hosts: Npgsql spreads and fails over).</summary>
    private static void AddStandby(IServiceCollection services, string? connectionString, RegistryCommandCounter commands)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        var standby = Prepared(connectionString);

        // A standby that stops answering must cost a resolve seconds, not Npgsql's defaults (15 s to connect, 30 s a
        // command), before it falls back to the primary; explicit settings are kept.
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            (standby.Timeout, standby.CommandTimeout) = (2, 2);
        }

        // Resolves and prefix lookups are all a standby serves: it takes the read path's settings.
        var reads = RegistryReadSource.ForReads(standby);
        services.AddSingleton(_ => new StandbySource(new Npgsql.NpgsqlDataSourceBuilder(reads.ConnectionString) { Name = "registry-standby" }.Build()));
        services.AddPooledDbContextFactory<PostgresStandbyContext>((sp, o) =>
            o.UseNpgsql(sp.GetRequiredService<StandbySource>().DataSource).UseSnakeCaseNamingConvention().AddInterceptors(commands));
    }

    /// <summary>Statements the node runs again and again (the resolve read above all) are prepared once per connection, unless the string says otherwise.</summary>
    private static Npgsql.NpgsqlConnectionStringBuilder Prepared(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 32;
        }

        return builder;
    }

    /// <summary>The standby's data source, made by the container on first use and disposed by it.</summary>
    private sealed class StandbySource(Npgsql.NpgsqlDataSource dataSource) : IDisposable
    {
        public Npgsql.NpgsqlDataSource DataSource { get; } = dataSource;

        public void Dispose() => DataSource.Dispose();
    }

    private static string SqliteConnectionString(IConfiguration configuration)
    {
        var node = configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        var directory = Path.GetFullPath(node.DataDirectory);
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, "registry.db")};Default Timeout=30";
    }
}

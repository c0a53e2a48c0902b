using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdResolution.Registry;

// Used only by `dotnet ef migrations add`; no database is contacted.
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRegistryContext>
{
    public PostgresRegistryContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresRegistryContext>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRegistryContext>
{
    public SqliteRegistryContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteRegistryContext>().UseSqlite("Data Source=design.db").UseSnakeCaseNamingConvention().Options);
}

using Npgsql;

namespace IdResolution.Registry;

/// <summary>
/// The connections the resolve path reads PostgreSQL through (one-key and many-key lookups outside any transaction).
/// Two session settings differ from the registry's other connections, both measured (bench/RESULTS.md):
/// <list type="bullet">
/// <item><c>plan_cache_mode = force_generic_plan</c>: the lookup is prepared once per connection, but on a
/// partitioned table PostgreSQL's own choice is to plan it again on every call (the generic plan's estimate counts
/// every partition; at run time it reads one). The generic plan prunes at execution and needs no planning.</item>
/// <item><c>No Reset On Close</c>: these reads leave no session state behind, so a connection going back to the pool
/// need not be reset (four more statements per lookup otherwise).</item>
/// <item><c>Multiplexing</c>: concurrent lookups share connections and their writes (fewer system calls per lookup).
/// Npgsql does not multiplex over several hosts, so a multi-host string keeps one lookup per connection.</item>
/// </list>
/// The other connections keep PostgreSQL's defaults: their queries (EPCIS filters, listings) gain from plans made
/// for their actual parameters.
/// </summary>
public sealed class RegistryReadSource(NpgsqlDataSource dataSource) : IDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>A read-only variant of <paramref name="builder"/>'s connection string with the two settings.</summary>
    public static NpgsqlConnectionStringBuilder ForReads(NpgsqlConnectionStringBuilder builder)
    {
        var reads = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { NoResetOnClose = true };
        reads.Multiplexing = reads.Host?.Contains(',', StringComparison.Ordinal) != true;
        reads.Options = string.IsNullOrWhiteSpace(reads.Options) ? GenericPlans : $"{reads.Options} {GenericPlans}";
        return reads;
    }

    public void Dispose() => DataSource.Dispose();

    private const string GenericPlans = "-c plan_cache_mode=force_generic_plan";
}

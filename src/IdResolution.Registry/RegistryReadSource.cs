using Npgsql;

namespace IdResolution.Registry;

/// <summary>
/// The connections the resolve path reads the primary through (one-key lookups outside any transaction).
/// Two session settings differ from the registry's other connections, both measured (bench/RESULTS.md):
/// <list type="bullet">
/// <item><c>plan_cache_mode = force_generic_plan</c>: the lookup is prepared once per connection, but on a
/// partitioned table PostgreSQL's own choice is to plan it again on every call (the generic plan's estimate counts
/// every partition; at run time it reads one). The generic plan prunes at execution and needs no planning.</item>
/// <item><c>No Reset On Close</c>: these reads leave no session state behind, so a connection going back to the pool
/// need not be reset (four more statements per lookup otherwise).</item>
/// </list>
/// The other connections keep PostgreSQL's defaults: their queries (EPCIS filters, listings) gain from plans made
/// for their actual parameters. Npgsql multiplexing (<c>Multiplexing=true</c> in the connection string) is honoured but
/// not the default: since lookups are sent together (<see cref="CoalescedLookups"/>) it no longer pays (bench/RESULTS.md,
/// run 7), a multiplexed command ignores its timeout and cancellation, so a hung database would hold resolves instead
/// of failing them, and Npgsql refuses it with several hosts. Behind PgBouncer, which refuses the <c>options</c>
/// startup parameter unless told to ignore it, set <c>plan_cache_mode</c> for the node's role instead
/// (<c>ALTER ROLE idres SET plan_cache_mode = force_generic_plan</c> applies to all its connections).
/// </summary>
public sealed class RegistryReadSource(NpgsqlDataSource dataSource) : IDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>A read-only variant of <paramref name="builder"/>'s connection string with the two settings.</summary>
    public static NpgsqlConnectionStringBuilder ForReads(NpgsqlConnectionStringBuilder builder)
    {
        var reads = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { NoResetOnClose = true };
        reads.Options = string.IsNullOrWhiteSpace(reads.Options) ? GenericPlans : $"{reads.Options} {GenericPlans}";
        return reads;
    }

    public void Dispose() => DataSource.Dispose();

    private const string GenericPlans = "-c plan_cache_mode=force_generic_plan";
}

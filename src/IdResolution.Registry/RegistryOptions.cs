namespace IdResolution.Registry;

public enum RegistryProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Configuration section "Registry".</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    public RegistryProvider Provider { get; set; } = RegistryProvider.Sqlite;

    /// <summary>Apply migrations at start. Unset: yes for the embedded SQLite registry, no for PostgreSQL.</summary>
    public bool? Migrate { get; set; }

    /// <summary>Largest accepted value data, in bytes.</summary>
    public int MaxValueBytes { get; set; } = Core.Values.HandleValueRules.DefaultMaxDataBytes;

    /// <summary>Largest accepted record (all values of one handle), in bytes.</summary>
    public int MaxRecordBytes { get; set; } = Core.Values.HandleValueRules.DefaultMaxRecordBytes;

    public bool MigrateAtStart => Migrate ?? Provider == RegistryProvider.Sqlite;

    /// <summary>With a standby (<c>ConnectionStrings:RegistryRead</c>): how long after a write its key is read from the primary.</summary>
    public TimeSpan ReadYourWritesWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// PostgreSQL: the most resolve lookup queries on the primary at once (<see cref="CoalescedLookups"/>); one runs
    /// whenever lookups wait, a further one only when a full query's worth waits.
    /// </summary>
    public int LookupQueries { get; set; } = 4;

    /// <summary>How long a running lookup query may take before the lookups waiting behind it get a query of their own.</summary>
    public TimeSpan LookupStallAfter { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>A standby further behind than this is out of rotation (reads go to the primary) until it catches up; at most the window above.</summary>
    public TimeSpan MaxStandbyLag { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Configuration section "Node": who this node is.</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>The node's own prefix; enterprise prefixes are derived from it.</summary>
    public string Prefix { get; set; } = "88.118.8";

    /// <summary>Where the embedded registry and the generated operator token live.</summary>
    public string DataDirectory { get; set; } = "data";
}

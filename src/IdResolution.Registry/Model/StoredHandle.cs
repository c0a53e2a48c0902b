namespace IdResolution.Registry.Model;

/// <summary>
/// One row per handle. Values are stored encoded (RFC 3652 value list) in the row itself, so a resolve is
/// one primary-key lookup returning one row, whatever the number of values.
/// </summary>
public sealed class StoredHandle
{
    /// <summary>Normalised handle (prefix upper-cased); the primary key.</summary>
    public required string Key { get; set; }

    /// <summary>The handle as first registered, for display.</summary>
    public required string Handle { get; set; }

    /// <summary>Normalised prefix, for listing a prefix's handles in key order.</summary>
    public required string Prefix { get; set; }

    /// <summary>Grows by one on every write; the optimistic-concurrency token.</summary>
    public long Version { get; set; }

    public required byte[] Values { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }
}

namespace IdResolution.Registry.Model;

/// <summary>What happened under one prefix on one UTC day: the figures a node reports to its top-level node.</summary>
public sealed class PrefixStatistic
{
    /// <summary>Normalised prefix.</summary>
    public required string Prefix { get; set; }

    /// <summary>UTC day as yyyymmdd.</summary>
    public int Day { get; set; }

    public long Resolutions { get; set; }

    public long Registrations { get; set; }

    public long Updates { get; set; }

    public long Deletions { get; set; }
}

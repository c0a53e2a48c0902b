namespace IdResolution.Registry.Model;

/// <summary>On a top-level node: one day's figures for one prefix, as the secondary node serving it last reported them.</summary>
public sealed class SiteReport
{
    /// <summary>The reporting node (the name of its site key).</summary>
    public required string Site { get; set; }

    /// <summary>Normalised prefix.</summary>
    public required string Prefix { get; set; }

    /// <summary>UTC day as yyyymmdd.</summary>
    public int Day { get; set; }

    public long Resolutions { get; set; }

    public long Registrations { get; set; }

    public long Updates { get; set; }

    public long Deletions { get; set; }

    /// <summary>Unix seconds of the report that last set these figures.</summary>
    public long ReceivedAt { get; set; }
}

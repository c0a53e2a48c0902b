namespace IdResolution.Registry.Model;

/// <summary>
/// One row per alias record (a name whose HS_ALIAS value names another), kept in the alias record's own write
/// transaction: how a target finds the names it is known by, in one indexed read.
/// </summary>
public sealed class HandleAlias
{
    /// <summary>The alias's normalised name; the primary key.</summary>
    public required string AliasKey { get; set; }

    /// <summary>The alias as registered, for display in its target's answers.</summary>
    public required string Alias { get; set; }

    /// <summary>The normalised name it is an alias of.</summary>
    public required string TargetKey { get; set; }
}

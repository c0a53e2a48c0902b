namespace IdResolution.Registry.Model;

/// <summary>A prefix this node is responsible for ("homed" here): the node prefix or an enterprise prefix under it.</summary>
public sealed class ServedPrefix
{
    /// <summary>Normalised (upper-cased) prefix; the primary key.</summary>
    public required string Key { get; set; }

    public required string Prefix { get; set; }

    /// <summary>The enterprise that owns the prefix and writes under it; null: only operators write there.</summary>
    public long? EnterpriseId { get; set; }

    public long CreatedAt { get; set; }
}

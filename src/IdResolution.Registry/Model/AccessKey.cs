namespace IdResolution.Registry.Model;

/// <summary>A bearer key. Only the SHA-256 of the key is stored; the key itself is shown once when issued.</summary>
public sealed class AccessKey
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required string Role { get; set; }

    public required byte[] KeyHash { get; set; }

    public long CreatedAt { get; set; }

    public long? RevokedAt { get; set; }
}

namespace IdResolution.Registry.Model;

/// <summary>A bearer key. Only the SHA-256 of the key is stored; the key itself is shown once when issued.</summary>
public sealed class AccessKey
{
    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>One of <see cref="AccessRoles"/>.</summary>
    public required string Role { get; set; }

    public required byte[] KeyHash { get; set; }

    /// <summary>The Handle admin identity (<c>index:HANDLE-KEY</c>) the key logs in as over HTTP Basic and HS_ADMIN delegation; unique.</summary>
    public string? Identity { get; set; }

    /// <summary>The key a short-lived token was issued from: revoking that key revokes the token.</summary>
    public long? ParentKeyId { get; set; }

    /// <summary>The enterprise the key acts for; null for operator keys.</summary>
    public long? EnterpriseId { get; set; }

    public long CreatedAt { get; set; }

    /// <summary>Unix seconds after which the key no longer authenticates; null: no expiry.</summary>
    public long? ExpiresAt { get; set; }

    public long? RevokedAt { get; set; }
}

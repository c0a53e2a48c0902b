namespace IdResolution.Registry.Model;

/// <summary>One write, as operators audit it: who, what, when, from where, and the version before and after.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    /// <summary>Unix milliseconds.</summary>
    public long At { get; set; }

    /// <summary>The key that wrote (its name), or "system".</summary>
    public required string Actor { get; set; }

    public long? KeyId { get; set; }

    public long? EnterpriseId { get; set; }

    /// <summary>The client's address as the node saw it.</summary>
    public string? Address { get; set; }

    /// <summary>What was done, e.g. <c>handle.create</c>, <c>key.revoke</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What it was done to: a handle, a prefix, a key or an enterprise.</summary>
    public required string Target { get; set; }

    /// <summary>The normalised prefix the target lives under, when it has one.</summary>
    public string? Prefix { get; set; }

    public long? VersionBefore { get; set; }

    public long? VersionAfter { get; set; }

    /// <summary>What else the change needs to be understood, e.g. <c>role=writer enterprise=7</c>.</summary>
    public string? Detail { get; set; }
}

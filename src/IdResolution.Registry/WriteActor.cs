using IdResolution.Registry.Model;

namespace IdResolution.Registry;

/// <summary>
/// Who is writing in this scope (one request or call), for the audit entry every write adds in its own
/// transaction. The server fills it from the caller's credentials; writes the node makes itself (seeds,
/// the bootstrap key) stay "system".
/// </summary>
public sealed class WriteActor
{
    public string Name { get; private set; } = "system";

    public long? KeyId { get; private set; }

    public long? EnterpriseId { get; private set; }

    public string? Address { get; private set; }

    /// <summary>Whether the writer is the node's operator (or the node itself), who may correct anyone's records.</summary>
    public bool IsOperator { get; private set; } = true;

    public void Set(string name, long? keyId, long? enterpriseId, string? address, bool isOperator)
    {
        Name = name;
        KeyId = keyId;
        EnterpriseId = enterpriseId;
        Address = address;
        IsOperator = isOperator;
    }

    /// <summary>The audit entry for one change made by this actor.</summary>
    public AuditEntry Audit(long at, string action, string target, string? prefix, long? before, long? after, string? detail = null) => new()
    {
        At = at,
        Actor = Name,
        KeyId = KeyId,
        EnterpriseId = EnterpriseId,
        Address = Address,
        Action = action,
        Target = target,
        Prefix = prefix,
        VersionBefore = before,
        VersionAfter = after,
        Detail = detail,
    };
}

namespace IdResolution.Server.Auth;

/// <summary>
/// What a key's role allows at the door; <see cref="PrefixAccess"/> then checks the prefix itself
/// (an enterprise's keys act only under the prefixes it owns).
/// </summary>
public static class NodePolicies
{
    /// <summary>Any key. Identifier writes and listings take any key at the door: <see cref="PrefixAccess"/> decides by role, prefix and HS_ADMIN grants.</summary>
    public const string Read = "read";

    /// <summary>Enterprise accounts and keys: operators, and enterprise admins for their own enterprise.</summary>
    public const string Accounts = "accounts";

    /// <summary>Node-wide data (statistics, audit, enterprises): operators.</summary>
    public const string Operator = "operator";

    /// <summary>On a top-level node, what secondary nodes do (filing, reporting): site keys and operators.</summary>
    public const string Site = "site";
}

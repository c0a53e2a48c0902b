namespace IdResolution.Server.Auth;

public static class NodePolicies
{
    /// <summary>Registering, changing and listing identifiers and prefixes. For now: the node operator.</summary>
    public const string Write = "write";
}

namespace IdResolution.Registry;

/// <summary>
/// What a key may do. Operators run the node; the others act for one enterprise, inside the prefixes it owns:
/// admins also manage its keys and derived prefixes, writers register identifiers, readers see restricted values and listings.
/// </summary>
public static class AccessRoles
{
    public const string Operator = "operator";
    public const string Admin = "admin";
    public const string Writer = "writer";
    public const string Reader = "reader";

    /// <summary>On a top-level node: a secondary node, which files the prefixes it serves and reports their statistics.</summary>
    public const string Site = "site";

    public static bool IsKnown(string role) => role is Operator or Admin or Writer or Reader or Site;

    public static bool Writes(string role) => role is Operator or Admin or Writer;
}

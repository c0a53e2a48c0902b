namespace IdResolution.Core.Values;

/// <summary>Value types with a meaning to the node (RFC 3651 reserved types and common ones).</summary>
public static class WellKnownTypes
{
    public const string Admin = "HS_ADMIN";
    public const string ValueList = "HS_VLIST";
    public const string Site = "HS_SITE";
    public const string Alias = "HS_ALIAS";
    public const string Url = "URL";
    public const string Email = "EMAIL";
}

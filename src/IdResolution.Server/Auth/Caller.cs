using System.Globalization;
using System.Security.Claims;
using IdResolution.Registry;

namespace IdResolution.Server.Auth;

/// <summary>
/// An authenticated caller as the node's rules see it: a key with a role, acting for an enterprise or for the node,
/// and the Handle admin identity (<c>index:HANDLE-KEY</c>) it holds, if any, which HS_ADMIN values may name.
/// </summary>
public sealed record Caller(string Name, string Role, long KeyId, long? EnterpriseId, string? Identity = null, long? ParentKeyId = null)
{
    public const string KeyIdClaim = "key_id";
    public const string EnterpriseClaim = "enterprise_id";
    public const string IdentityClaim = "handle_identity";
    public const string ParentKeyClaim = "parent_key_id";

    public bool IsOperator => Role == AccessRoles.Operator;

    /// <summary>The key whose rate limit this caller spends: a token shares its key's.</summary>
    public long RateKeyId => ParentKeyId ?? KeyId;

    /// <summary>The claims a caller's key carries into the request.</summary>
    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, Name),
            new(ClaimTypes.Role, Role),
            new(KeyIdClaim, KeyId.ToString(CultureInfo.InvariantCulture)),
        };
        if (EnterpriseId is { } enterprise)
        {
            claims.Add(new Claim(EnterpriseClaim, enterprise.ToString(CultureInfo.InvariantCulture)));
        }

        if (Identity is not null)
        {
            claims.Add(new Claim(IdentityClaim, Identity));
        }

        if (ParentKeyId is { } parent)
        {
            claims.Add(new Claim(ParentKeyClaim, parent.ToString(CultureInfo.InvariantCulture)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The caller behind a request; null when it is anonymous.</summary>
    public static Caller? From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true
            || user.FindFirst(ClaimTypes.Role)?.Value is not { } role
            || !long.TryParse(user.FindFirst(KeyIdClaim)?.Value, CultureInfo.InvariantCulture, out var keyId))
        {
            return null;
        }

        long? enterprise = long.TryParse(user.FindFirst(EnterpriseClaim)?.Value, CultureInfo.InvariantCulture, out var id) ? id : null;
        long? parentKey = long.TryParse(user.FindFirst(ParentKeyClaim)?.Value, CultureInfo.InvariantCulture, out var p) ? p : null;
        return new Caller(user.Identity.Name ?? "", role, keyId, enterprise, user.FindFirst(IdentityClaim)?.Value, parentKey);
    }
}

using IdResolution.Core.Values;

namespace IdResolution.Server.Auth;

/// <summary>The HS_ADMIN permission bits a write needs beyond its kind.</summary>
public static class WriteAccess
{
    /// <summary>Writing HS_ADMIN values changes who administers the handle: that needs the admin bits too.</summary>
    public static AdminPermissions AdminBits(IReadOnlyList<HandleValue> values)
    {
        foreach (var value in values)
        {
            if (value.HasType(WellKnownTypes.Admin))
            {
                return AdminPermissions.AddAdmin | AdminPermissions.ModifyAdmin;
            }
        }

        return AdminPermissions.None;
    }
}

using IdResolution.Core.Values;

namespace IdResolution.Core.Accounts;

/// <summary>
/// What a record's HS_ADMIN values grant (Handle delegation): an identity holds a permission when an HS_ADMIN value
/// with that bit names it directly, or names an HS_VLIST group that lists it.
/// </summary>
public static class AdminGrants
{
    /// <summary>The HS_ADMIN values that carry every bit of <paramref name="needed"/>.</summary>
    public static List<AdminValue> Granting(IReadOnlyList<HandleValue> values, AdminPermissions needed)
    {
        var granting = new List<AdminValue>();
        foreach (var value in values)
        {
            if (value.HasType(WellKnownTypes.Admin) && AdminValue.TryDecode(value.Data, out var admin) && (admin!.Permissions & needed) == needed)
            {
                granting.Add(admin);
            }
        }

        return granting;
    }

    /// <summary>Whether a group record's value at <paramref name="index"/> is an HS_VLIST that lists the identity.</summary>
    public static bool ListsMember(IReadOnlyList<HandleValue> group, int index, AdminIdentity identity)
    {
        foreach (var value in group)
        {
            if ((index == 0 || value.Index == index) && value.HasType(WellKnownTypes.ValueList) && ValueReferenceList.TryDecode(value.Data, out var members))
            {
                foreach (var member in members)
                {
                    if (identity.IsNamedBy(member.Handle, member.Index))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}

using IdResolution.Core.Values;

namespace IdResolution.Core.Accounts;

/// <summary>
/// The HS_ADMIN permission bits a change to a record needs, value by value, from what it is to what it becomes:
/// adding, modifying or removing a value needs add, modify or remove value; when the value is an HS_ADMIN or an
/// HS_VLIST (a group that HS_ADMIN values name), it needs the matching admin bit as well. Unchanged values need nothing.
/// </summary>
public static class ChangeBits
{
    /// <summary>Replacing every value.</summary>
    public static AdminPermissions Replace(IReadOnlyList<HandleValue> current, IReadOnlyList<HandleValue> next)
    {
        var needed = AdminPermissions.None;
        foreach (var value in next)
        {
            needed |= Put(Find(current, value.Index), value);
        }

        foreach (var value in current)
        {
            if (Find(next, value.Index) is null)
            {
                needed |= Removed(value);
            }
        }

        return needed;
    }

    /// <summary>Adding or replacing the given values, the others kept.</summary>
    public static AdminPermissions Upsert(IReadOnlyList<HandleValue> current, IReadOnlyList<HandleValue> values)
    {
        var needed = AdminPermissions.None;
        foreach (var value in values)
        {
            needed |= Put(Find(current, value.Index), value);
        }

        return needed;
    }

    /// <summary>Removing the values with the given indexes.</summary>
    public static AdminPermissions Remove(IReadOnlyList<HandleValue> current, IReadOnlyCollection<int> indexes)
    {
        var needed = AdminPermissions.None;
        foreach (var index in indexes)
        {
            needed |= Find(current, index) is { } value ? Removed(value) : AdminPermissions.RemoveValue;
        }

        return needed;
    }

    /// <summary>Values whose change is a change of who administers the handle.</summary>
    public static bool Administers(HandleValue value) => value.HasType(WellKnownTypes.Admin) || value.HasType(WellKnownTypes.ValueList);

    private static AdminPermissions Put(HandleValue? before, HandleValue after)
    {
        if (before is null)
        {
            return AdminPermissions.AddValue | (Administers(after) ? AdminPermissions.AddAdmin : AdminPermissions.None);
        }

        if (Same(before, after))
        {
            return AdminPermissions.None;
        }

        return AdminPermissions.ModifyValue | (Administers(before) || Administers(after) ? AdminPermissions.ModifyAdmin : AdminPermissions.None);
    }

    private static AdminPermissions Removed(HandleValue value) =>
        AdminPermissions.RemoveValue | (Administers(value) ? AdminPermissions.RemoveAdmin : AdminPermissions.None);

    /// <summary>The same value as stored, whatever its timestamp (which every write sets anew).</summary>
    private static bool Same(HandleValue a, HandleValue b) =>
        a.Type == b.Type && a.Data.AsSpan().SequenceEqual(b.Data) && a.Ttl == b.Ttl && a.TtlType == b.TtlType
        && a.Permissions == b.Permissions && a.References.SequenceEqual(b.References);

    private static HandleValue? Find(IReadOnlyList<HandleValue> values, int index)
    {
        foreach (var value in values)
        {
            if (value.Index == index)
            {
                return value;
            }
        }

        return null;
    }
}

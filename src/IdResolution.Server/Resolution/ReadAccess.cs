using System.Security.Claims;
using IdResolution.Core.Values;
using IdResolution.Registry;

namespace IdResolution.Server.Resolution;

/// <summary>
/// Which values a caller may see. Values without publicRead are shown only to authorised readers and are
/// simply absent for everyone else (they are not reported as forbidden).
/// </summary>
public static class ReadAccess
{
    public static bool SeesRestricted(ClaimsPrincipal user) => user.IsInRole(AccessKeyStore.OperatorRole);

    /// <summary>The values the caller may read and the filter selects, or the same list when nothing is removed.</summary>
    public static IReadOnlyList<HandleValue> Visible(IReadOnlyList<HandleValue> values, ValueFilter filter, bool seesRestricted)
    {
        var removes = !filter.SelectsAll;
        for (var i = 0; !removes && i < values.Count; i++)
        {
            removes = !seesRestricted && !values[i].IsPublic;
        }

        if (!removes)
        {
            return values;
        }

        var visible = new List<HandleValue>(values.Count);
        foreach (var value in values)
        {
            if ((seesRestricted || value.IsPublic) && filter.Matches(value))
            {
                visible.Add(value);
            }
        }

        return visible;
    }
}

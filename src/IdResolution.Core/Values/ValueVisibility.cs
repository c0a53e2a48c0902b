namespace IdResolution.Core.Values;

/// <summary>
/// Which values a reader gets. Values without publicRead go only to authorised readers and are simply absent
/// for everyone else (not reported as forbidden), over every protocol and from every cache layer.
/// </summary>
public static class ValueVisibility
{
    /// <summary>The values the filter selects and the reader may see, or the same list when nothing is removed.</summary>
    public static IReadOnlyList<HandleValue> Select(IReadOnlyList<HandleValue> values, ValueFilter filter, bool includeRestricted)
    {
        var removes = !filter.SelectsAll;
        for (var i = 0; !removes && i < values.Count; i++)
        {
            removes = !includeRestricted && !values[i].IsPublic;
        }

        if (!removes)
        {
            return values;
        }

        var visible = new List<HandleValue>(values.Count);
        foreach (var value in values)
        {
            if ((includeRestricted || value.IsPublic) && filter.Matches(value))
            {
                visible.Add(value);
            }
        }

        return visible;
    }

    public static IReadOnlyList<HandleValue> PublicOnly(IReadOnlyList<HandleValue> values) => Select(values, ValueFilter.All, includeRestricted: false);
}

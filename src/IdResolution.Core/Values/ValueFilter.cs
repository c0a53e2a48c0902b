namespace IdResolution.Core.Values;

/// <summary>
/// The <c>type=</c> / <c>index=</c> selection of a resolution request. As in RFC 3652, a value is
/// returned when its index is listed or its type is selected (see HandleValue.HasType); no lists means all values.
/// </summary>
public sealed class ValueFilter
{
    public static readonly ValueFilter All = new([], []);

    public ValueFilter(IReadOnlyList<string> types, IReadOnlyList<int> indexes)
    {
        Types = types;
        Indexes = indexes;
    }

    public IReadOnlyList<string> Types { get; }

    public IReadOnlyList<int> Indexes { get; }

    public bool SelectsAll => Types.Count == 0 && Indexes.Count == 0;

    public bool Matches(HandleValue value)
    {
        if (SelectsAll)
        {
            return true;
        }

        for (var i = 0; i < Indexes.Count; i++)
        {
            if (Indexes[i] == value.Index)
            {
                return true;
            }
        }

        for (var i = 0; i < Types.Count; i++)
        {
            if (value.HasType(Types[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The values that pass the filter, or the same list when nothing is filtered out.</summary>
    public IReadOnlyList<HandleValue> Apply(IReadOnlyList<HandleValue> values)
    {
        if (SelectsAll)
        {
            return values;
        }

        var selected = new List<HandleValue>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            if (Matches(values[i]))
            {
                selected.Add(values[i]);
            }
        }

        return selected;
    }
}

using System.Globalization;
using IdResolution.Core.Values;

namespace IdResolution.Server.Http;

/// <summary>The <c>type=</c> and <c>index=</c> query parameters of a resolve, as a <see cref="ValueFilter"/>.</summary>
public static class ResolveQuery
{
    public static bool TryReadFilter(IQueryCollection query, out ValueFilter filter, out string? error)
    {
        filter = ValueFilter.All;
        error = null;
        var types = query["type"];
        var indexes = query["index"];
        if (types.Count == 0 && indexes.Count == 0)
        {
            return true;
        }

        if (!TryReadIndexes(query, out var parsed, out error))
        {
            return false;
        }

        var typeList = new string[types.Count];
        for (var i = 0; i < types.Count; i++)
        {
            typeList[i] = types[i] ?? string.Empty;
        }

        filter = new ValueFilter(typeList, parsed);
        return true;
    }

    public static bool TryReadIndexes(IQueryCollection query, out int[] indexes, out string? error)
    {
        var values = query["index"];
        indexes = new int[values.Count];
        error = null;
        for (var i = 0; i < values.Count; i++)
        {
            if (!int.TryParse(values[i], NumberStyles.None, CultureInfo.InvariantCulture, out indexes[i]) || indexes[i] <= 0)
            {
                error = $"index '{values[i]}' is not a positive integer";
                return false;
            }
        }

        return true;
    }

    public static bool Flag(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var value) && (value.Count == 0 || value[0] is null or "" or "true" or "1");
}

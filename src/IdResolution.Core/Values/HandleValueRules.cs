using System.Text;
using IdResolution.Core.Handles;

namespace IdResolution.Core.Values;

/// <summary>What makes a set of values acceptable for one handle; every write goes through here.</summary>
public static class HandleValueRules
{
    public const int DefaultMaxDataBytes = 64 * 1024;
    public const int DefaultMaxRecordBytes = 1024 * 1024;

    /// <summary>
    /// Checks each value and the record as a whole: unique indexes, at most <see cref="HandleLimits.MaxValuesPerHandle"/>
    /// values, and at most <paramref name="maxRecordBytes"/> in all, so that no answer (or batch of answers) can be
    /// made arbitrarily large by adding values one at a time.
    /// </summary>
    public static void Validate(IReadOnlyList<HandleValue> values, int maxDataBytes = DefaultMaxDataBytes, int maxRecordBytes = DefaultMaxRecordBytes)
    {
        if (values.Count > HandleLimits.MaxValuesPerHandle)
        {
            throw Invalid($"{values.Count} values; a handle holds at most {HandleLimits.MaxValuesPerHandle}");
        }

        // Records hold a handful of values: comparing pairs beats allocating a set (bulk imports check millions).
        var seen = values.Count > 16 ? new HashSet<int>() : null;
        long recordBytes = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            ValidateOne(value, maxDataBytes);
            if (seen is null ? IndexSeenBefore(values, i) : !seen.Add(value.Index))
            {
                throw Invalid($"index {value.Index} appears more than once");
            }

            recordBytes += 32 + Encoding.UTF8.GetByteCount(value.Type) + value.Data.Length;
        }

        if (recordBytes > maxRecordBytes)
        {
            throw Invalid($"the record's values hold {recordBytes} bytes; a record holds at most {maxRecordBytes}");
        }
    }

    private static bool IndexSeenBefore(IReadOnlyList<HandleValue> values, int at)
    {
        for (var j = 0; j < at; j++)
        {
            if (values[j].Index == values[at].Index)
            {
                return true;
            }
        }

        return false;
    }

    private static void ValidateOne(HandleValue value, int maxDataBytes)
    {
        if (value.Index <= 0)
        {
            throw Invalid($"index {value.Index} is not a positive integer");
        }

        if (value.Type.Length == 0)
        {
            throw Invalid($"value {value.Index} has an empty type");
        }

        if (Encoding.UTF8.GetByteCount(value.Type) > HandleLimits.MaxTypeBytes || value.Type.Any(char.IsControl))
        {
            throw Invalid($"value {value.Index} has a type longer than {HandleLimits.MaxTypeBytes} bytes or with control characters");
        }

        if (value.Data.Length > maxDataBytes)
        {
            throw Invalid($"value {value.Index} holds {value.Data.Length} bytes of data; the limit is {maxDataBytes}");
        }

        if (value.Type == Schemes.Gs1Links.ValueType && Schemes.Gs1Links.Problem(value.Data) is { } problem)
        {
            throw Invalid($"value {value.Index}: {problem}");
        }

        if (value.Ttl < 0)
        {
            throw Invalid($"value {value.Index} has a negative ttl");
        }

        if (string.Equals(value.Type, WellKnownTypes.Admin, StringComparison.OrdinalIgnoreCase) && !AdminValue.TryDecode(value.Data, out _))
        {
            throw Invalid($"value {value.Index} is HS_ADMIN but its data is not an admin reference");
        }
    }

    private static HandleException Invalid(string message) => new(ResponseCode.InvalidValue, message);
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using IdResolution.Core.Values;

namespace IdResolution.Core.Json;

/// <summary>
/// Reads handle values from a Handle REST request body: an array of values, an object with a
/// <c>values</c> array, or a single value. Errors name the value and the field, with code 202 (invalid value).
/// </summary>
public static class HandleJsonReader
{
    public static List<HandleValue> ReadValues(JsonElement body, out string? handle)
    {
        try
        {
            return ReadBody(body, out handle);
        }
        catch (InvalidOperationException e)
        {
            // JSON lets a string escape half a surrogate pair ("\uD800"), which is no text at all.
            throw Invalid($"a string in the body is not valid Unicode: {e.Message}");
        }
    }

    private static List<HandleValue> ReadBody(JsonElement body, out string? handle)
    {
        handle = null;
        switch (body.ValueKind)
        {
            case JsonValueKind.Array:
                return ReadArray(body);
            case JsonValueKind.Object when body.TryGetProperty("values", out var values):
                if (body.TryGetProperty("handle", out var h) && h.ValueKind == JsonValueKind.String)
                {
                    handle = h.GetString();
                }

                return values.ValueKind == JsonValueKind.Array ? ReadArray(values) : throw Invalid("'values' must be an array");
            case JsonValueKind.Object:
                return [ReadValue(body, 0)];
            default:
                throw Invalid("the body must be a JSON array of values, an object with 'values', or one value");
        }
    }

    private static List<HandleValue> ReadArray(JsonElement array)
    {
        var values = new List<HandleValue>(array.GetArrayLength());
        var position = 0;
        foreach (var item in array.EnumerateArray())
        {
            values.Add(ReadValue(item, position++));
        }

        return values;
    }

    public static HandleValue ReadValue(JsonElement item, int position)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"values[{position}] is not an object");
        }

        var index = RequiredInt(item, "index", position);
        var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : throw Invalid($"values[{position}] needs a string 'type'");
        var where = $"value {index} ({type})";
        var data = item.TryGetProperty("data", out var d) ? ReadData(d, where) : throw Invalid($"{where} has no 'data'");
        var value = new HandleValue(index, type, data);
        value = ReadTtl(item, value, where);

        if (item.TryGetProperty("permissions", out var p))
        {
            if (p.ValueKind != JsonValueKind.String || !PermissionText.TryParse(p.GetString()!, out var permissions))
            {
                throw Invalid($"{where}: 'permissions' must be four 0/1 characters (adminRead, adminWrite, publicRead, publicWrite)");
            }

            value = value with { Permissions = permissions };
        }

        if (item.TryGetProperty("references", out var r))
        {
            value = value with { References = ReadReferences(r, $"{where} references") };
        }

        return value;
    }

    private static HandleValue ReadTtl(JsonElement item, HandleValue value, string where)
    {
        if (!item.TryGetProperty("ttl", out var ttl))
        {
            return value;
        }

        if (ttl.ValueKind == JsonValueKind.Number && ttl.TryGetInt32(out var seconds) && seconds >= 0)
        {
            var ttlType = 0;
            if (item.TryGetProperty("ttlType", out var tt) && (!IsInt(tt, out ttlType) || ttlType is not (0 or 1)))
            {
                throw Invalid($"{where}: 'ttlType' must be 0 (relative) or 1 (absolute)");
            }

            return value with { Ttl = seconds, TtlType = ttlType == 1 ? TtlType.Absolute : TtlType.Relative };
        }

        if (ttl.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(ttl.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires))
        {
            return value with { Ttl = (int)Math.Clamp(expires.ToUnixTimeSeconds(), 0, int.MaxValue), TtlType = TtlType.Absolute };
        }

        throw Invalid($"{where}: 'ttl' must be a non-negative number of seconds or an ISO 8601 expiry time");
    }

    private static byte[] ReadData(JsonElement data, string where)
    {
        if (data.ValueKind == JsonValueKind.String)
        {
            return Encoding.UTF8.GetBytes(data.GetString()!);
        }

        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("value", out var value))
        {
            throw Invalid($"{where}: 'data' must be a string or an object with 'format' and 'value'");
        }

        var format = data.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : "string";
        return format switch
        {
            "string" when value.ValueKind == JsonValueKind.String => Encoding.UTF8.GetBytes(value.GetString()!),
            "base64" when value.ValueKind == JsonValueKind.String => FromBase64(value.GetString()!, where),
            "hex" when value.ValueKind == JsonValueKind.String => FromHex(value.GetString()!, where),
            "json" => Encoding.UTF8.GetBytes(value.GetRawText()),
            "admin" => ReadAdmin(value, where).Encode(),
            "vlist" => ValueReferenceList.Encode(ReadReferences(value, where)),
            "site" => ReadSite(value, where),
            "string" or "base64" or "hex" => throw Invalid($"{where}: data of format '{format}' must be a JSON string"),
            _ => throw Invalid($"{where}: unknown data format '{format}' (use string, json, base64, hex, admin, vlist or site)"),
        };
    }

    private static byte[] ReadSite(JsonElement value, string where)
    {
        try
        {
            return SiteJson.Read(value).Encode();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw Invalid($"{where}: not a site: {e.Message}");
        }
    }

    private static AdminValue ReadAdmin(JsonElement value, string where)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("handle", out var handle) || handle.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("index", out var index) || !IsInt(index, out var i))
        {
            throw Invalid($"{where}: admin data needs 'handle' (string) and 'index' (integer)");
        }

        var text = value.TryGetProperty("permissions", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "011111110011";
        return AdminValue.TryParsePermissions(text, out var permissions)
            ? new AdminValue(handle.GetString()!, i, permissions)
            : throw Invalid($"{where}: admin 'permissions' must be {AdminValue.PermissionBits} 0/1 characters");
    }

    private static ValueReference[] ReadReferences(JsonElement array, string where)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"{where} must be an array of {{handle, index}}");
        }

        var references = new ValueReference[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("handle", out var h) || h.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("index", out var x) || !IsInt(x, out var index))
            {
                throw Invalid($"{where}[{i}] needs 'handle' (string) and 'index' (integer)");
            }

            references[i++] = new ValueReference(h.GetString()!, index);
        }

        return references;
    }

    private static int RequiredInt(JsonElement item, string name, int position) =>
        item.TryGetProperty(name, out var e) && IsInt(e, out var v)
            ? v
            : throw Invalid($"values[{position}] needs an integer '{name}'");

    /// <summary>A JSON number that is a 32-bit integer (TryGetInt32 throws on anything but a number).</summary>
    private static bool IsInt(JsonElement element, out int value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value);
    }

    private static byte[] FromBase64(string text, string where)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Invalid($"{where}: data is not valid base64");
        }
    }

    private static byte[] FromHex(string text, string where)
    {
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw Invalid($"{where}: data is not valid hex");
        }
    }

    private static HandleException Invalid(string message) => new(ResponseCode.InvalidValue, message);
}

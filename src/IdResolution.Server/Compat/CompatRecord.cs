using System.Text;
using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Json;
using IdResolution.Core.Templates;
using IdResolution.Core.Values;

namespace IdResolution.Server.Compat;

/// <summary>
/// A record in the deployed nodes' shape: <c>{"handle":"88.1021.150/xx002","templateVersion":"1.0","value":[{"index":2000,
/// "type":"name","auth":"","data":{"format":"string","value":"..."}}]}</c>. The template version is the handle's
/// prefix's template of that version (those nodes keep one template per enterprise prefix), stored as value 1001
/// (<c>88.1021.150@1.0</c>); a full <c>name@version</c> names any other template. <c>auth</c> empty is a public value;
/// anything else restricts it to the owner (and HS_ADMIN readers).
/// </summary>
public static class CompatRecord
{
    public const string Restricted = "owner";

    public static (HandleName Name, List<HandleValue> Values) Read(JsonElement record, string at = "body")
    {
        try
        {
            return ReadRecord(record, at);
        }
        catch (InvalidOperationException)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"{at}: text that is not valid Unicode (an unpaired surrogate)");
        }
    }

    private static (HandleName Name, List<HandleValue> Values) ReadRecord(JsonElement record, string at)
    {
        if (record.ValueKind != JsonValueKind.Object
            || !record.TryGetProperty("handle", out var h) || h.ValueKind != JsonValueKind.String)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"{at}: a record is an object with 'handle' and 'value'");
        }

        var name = HandleName.Parse(h.GetString()!);
        var values = new List<HandleValue>();
        if (record.TryGetProperty("value", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new HandleException(ResponseCode.ProtocolError, $"{at}.value: a list of values");
            }

            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                var value = HandleJsonReader.ReadValue(item, i++);
                var restricted = item.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String && auth.GetString()!.Length > 0;
                values.Add(restricted ? value with { Permissions = value.Permissions & ~ValuePermissions.PublicRead } : value);
            }
        }

        if (record.TryGetProperty("templateVersion", out var tv) && tv.ValueKind == JsonValueKind.String && tv.GetString()!.Length > 0)
        {
            values.RemoveAll(v => v.Index == TemplateReference.Index);
            values.Add(Reference(name, tv.GetString()!).ToValue());
        }

        return (name, values);
    }

    public static void Write(Utf8JsonWriter writer, string handle, IReadOnlyList<HandleValue> values)
    {
        writer.WriteStartObject();
        writer.WriteString("handle", handle);
        string? templateVersion = null;
        writer.WriteStartArray("value");
        foreach (var value in values)
        {
            if (value.Index == TemplateReference.Index && TemplateReference.TryParse(Encoding.UTF8.GetString(value.Data), out var reference, out _))
            {
                templateVersion = HandleName.TryParse(handle, out var name, out _) && reference.Name == name.Prefix.Display ? reference.Version : reference.ToString();
                continue;
            }

            writer.WriteStartObject();
            writer.WriteNumber("index", value.Index);
            writer.WriteString("type", value.Type);
            writer.WriteString("auth", value.IsPublic ? "" : Restricted);
            writer.WritePropertyName("data");
            HandleJsonWriter.WriteData(writer, value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("templateVersion", templateVersion ?? "");
        writer.WriteEndObject();
    }

    private static TemplateReference Reference(HandleName name, string templateVersion) =>
        templateVersion.Contains('@', StringComparison.Ordinal)
            ? TemplateReference.TryParse(templateVersion, out var full, out var error) ? full : throw new HandleException(ResponseCode.InvalidValue, "templateVersion: " + error)
            : TemplateReference.TryParse($"{name.Prefix.Display}@{templateVersion}", out var own, out var problem) ? own : throw new HandleException(ResponseCode.InvalidValue, "templateVersion: " + problem);
}

using System.Globalization;
using System.Text.Json;

namespace IdResolution.Core.Templates;

/// <summary>
/// Templates as JSON: <c>{"name":"daily-chemicals","version":"1.0","industryCategory":"...","description":"...",
/// "fields":[{"name":"productName","index":2000,"type":"string","required":true,"minLength":1,"maxLength":100,
/// "min":..,"max":..,"pattern":"..","values":[..],"unit":"ml","description":".."}]}</c>. Errors name the member at fault.
/// </summary>
public static class TemplateJson
{
    public static MetadataTemplate Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("a template is a JSON object");
        }

        if (!root.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("fields: a list of fields is required");
        }

        var list = new List<TemplateField>();
        var i = 0;
        foreach (var field in fields.EnumerateArray())
        {
            list.Add(ReadField(field, $"fields[{i++}]"));
        }

        return new MetadataTemplate
        {
            Name = Text(root, "name", "name") ?? "",
            Version = Text(root, "version", "version") ?? "",
            IndustryCategory = Text(root, "industryCategory", "industryCategory"),
            IndustrySpecific = Text(root, "industrySpecific", "industrySpecific"),
            IndustryTrade = Text(root, "industryTrade", "industryTrade"),
            IndustrySubclass = Text(root, "industrySubclass", "industrySubclass"),
            Description = Text(root, "description", "description"),
            Fields = list,
        };
    }

    private static TemplateField ReadField(JsonElement field, string at)
    {
        if (field.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{at}: a field is a JSON object");
        }

        var typeText = Text(field, "type", at + ".type") ?? throw Invalid($"{at}.type: required");
        if (!TryType(typeText, out var type))
        {
            throw Invalid($"{at}.type: '{typeText}' is not one of string, integer, decimal, date, datetime, enum, url, identifier, json");
        }

        return new TemplateField
        {
            Name = Text(field, "name", at + ".name") ?? throw Invalid($"{at}.name: required"),
            Index = Int(field, "index", at) ?? throw Invalid($"{at}.index: required"),
            Type = type,
            Required = field.TryGetProperty("required", out var r) && (r.ValueKind == JsonValueKind.True || (r.ValueKind != JsonValueKind.False ? throw Invalid($"{at}.required: true or false") : false)),
            MinLength = Int(field, "minLength", at),
            MaxLength = Int(field, "maxLength", at),
            Min = Number(field, "min", at),
            Max = Number(field, "max", at),
            Pattern = Text(field, "pattern", at + ".pattern"),
            EnumValues = Strings(field, "values", at),
            Unit = Text(field, "unit", at + ".unit"),
            Description = Text(field, "description", at + ".description"),
        };
    }

    public static void Write(Utf8JsonWriter writer, MetadataTemplate template)
    {
        writer.WriteString("name", template.Name);
        writer.WriteString("version", template.Version);
        WriteIf(writer, "industryCategory", template.IndustryCategory);
        WriteIf(writer, "industrySpecific", template.IndustrySpecific);
        WriteIf(writer, "industryTrade", template.IndustryTrade);
        WriteIf(writer, "industrySubclass", template.IndustrySubclass);
        WriteIf(writer, "description", template.Description);
        writer.WriteStartArray("fields");
        foreach (var field in template.Fields)
        {
            writer.WriteStartObject();
            writer.WriteString("name", field.Name);
            writer.WriteNumber("index", field.Index);
            writer.WriteString("type", TypeName(field.Type));
            writer.WriteBoolean("required", field.Required);
            WriteIf(writer, "minLength", field.MinLength);
            WriteIf(writer, "maxLength", field.MaxLength);
            if (field.Min is { } min)
            {
                writer.WriteNumber("min", min);
            }

            if (field.Max is { } max)
            {
                writer.WriteNumber("max", max);
            }

            WriteIf(writer, "pattern", field.Pattern);
            if (field.EnumValues.Count > 0)
            {
                writer.WriteStartArray("values");
                foreach (var value in field.EnumValues)
                {
                    writer.WriteStringValue(value);
                }

                writer.WriteEndArray();
            }

            WriteIf(writer, "unit", field.Unit);
            WriteIf(writer, "description", field.Description);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static string TypeName(FieldType type) => type.ToString().ToLowerInvariant();

    public static bool TryType(string text, out FieldType type) =>
        Enum.TryParse(text, ignoreCase: true, out type) && Enum.IsDefined(type) && !char.IsDigit(text[0]);

    private static void WriteIf(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteIf(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static string? Text(JsonElement element, string name, string at)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        try
        {
            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid($"{at}: a string");
        }
        catch (InvalidOperationException)
        {
            throw Invalid($"{at}: text that is not valid Unicode (an unpaired surrogate)");
        }
    }

    private static int? Int(JsonElement element, string name, string at) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) ? i
        : throw Invalid($"{at}.{name}: an integer");

    private static decimal? Number(JsonElement element, string name, string at) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) ? d
        : value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d) ? d
        : throw Invalid($"{at}.{name}: a number");

    private static List<string> Strings(JsonElement element, string name, string at)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 1000)
        {
            throw Invalid($"{at}.{name}: a list of at most 1000 strings");
        }

        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Invalid($"{at}.{name}: strings only"));
        }

        return list;
    }

    private static HandleException Invalid(string message) => new(ResponseCode.InvalidValue, message);
}

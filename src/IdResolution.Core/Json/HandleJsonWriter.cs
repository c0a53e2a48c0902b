using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using IdResolution.Core.Values;

namespace IdResolution.Core.Json;

/// <summary>
/// Writes handle records in the JSON shape of the Handle REST API (reference server 9.x), so that existing
/// clients read our answers unchanged. Written by hand with <see cref="Utf8JsonWriter"/>: no reflection on the resolve path.
/// </summary>
public static class HandleJsonWriter
{
    /// <summary>Identifiers and metadata are often CJK; keep them readable instead of \u-escaped. Bodies are JSON, never HTML.</summary>
    public static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static void WriteRecord(Utf8JsonWriter writer, string handle, IReadOnlyList<HandleValue> values) => WriteRecord(writer, handle, values, null);

    /// <summary>The record, with members the caller asked for on top (e.g. <c>lifecycle</c>) written by <paramref name="extra"/>.</summary>
    public static void WriteRecord(Utf8JsonWriter writer, string handle, IReadOnlyList<HandleValue> values, Action<Utf8JsonWriter>? extra) =>
        WriteRecord(writer, handle, values, [], extra);

    /// <summary>The record with its other names (<c>aliases</c>, omitted when it has none).</summary>
    public static void WriteRecord(Utf8JsonWriter writer, string handle, IReadOnlyList<HandleValue> values, IReadOnlyList<string> aliases, Action<Utf8JsonWriter>? extra = null)
    {
        writer.WriteStartObject();
        writer.WriteNumber("responseCode", (int)Core.ResponseCode.Success);
        writer.WriteString("handle", handle);
        writer.WriteStartArray("values");
        for (var i = 0; i < values.Count; i++)
        {
            WriteValue(writer, values[i]);
        }

        writer.WriteEndArray();
        if (aliases.Count > 0)
        {
            writer.WriteStartArray("aliases");
            for (var i = 0; i < aliases.Count; i++)
            {
                writer.WriteStringValue(aliases[i]);
            }

            writer.WriteEndArray();
        }

        extra?.Invoke(writer);
        writer.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter writer, ResponseCode code, string? handle, string message) =>
        WriteError(writer, code, handle, message, []);

    /// <summary>An error, with the template rules the values broke (<c>violations</c>, omitted when none).</summary>
    public static void WriteError(Utf8JsonWriter writer, ResponseCode code, string? handle, string message, IReadOnlyList<Templates.TemplateViolation> violations)
    {
        writer.WriteStartObject();
        writer.WriteNumber("responseCode", (int)code);
        if (handle is not null)
        {
            writer.WriteString("handle", handle);
        }

        writer.WriteString("message", message);
        if (violations.Count > 0)
        {
            WriteViolations(writer, violations);
        }

        writer.WriteEndObject();
    }

    /// <summary>A <c>violations</c> member: each template rule broken, with its field, index and rule.</summary>
    public static void WriteViolations(Utf8JsonWriter writer, IReadOnlyList<Templates.TemplateViolation> violations)
    {
        writer.WriteStartArray("violations");
        foreach (var violation in violations)
        {
            writer.WriteStartObject();
            writer.WriteString("field", violation.Field);
            writer.WriteNumber("index", violation.Index);
            writer.WriteString("rule", violation.Rule);
            writer.WriteString("message", violation.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static void WriteValue(Utf8JsonWriter writer, HandleValue value)
    {
        writer.WriteStartObject();
        writer.WriteNumber("index", value.Index);
        writer.WriteString("type", value.Type);
        writer.WritePropertyName("data");
        WriteData(writer, value);
        if (value.TtlType == TtlType.Absolute)
        {
            WriteTime(writer, "ttl", value.Ttl);
        }
        else
        {
            writer.WriteNumber("ttl", value.Ttl);
        }

        WriteTime(writer, "timestamp", value.Timestamp);
        if (value.Permissions != ValuePermissions.Default)
        {
            writer.WriteString("permissions", PermissionText.Format(value.Permissions));
        }

        if (value.References.Count > 0)
        {
            writer.WritePropertyName("references");
            WriteReferences(writer, value.References);
        }

        writer.WriteEndObject();
    }

    public static void WriteData(Utf8JsonWriter writer, HandleValue value)
    {
        writer.WriteStartObject();
        if (string.Equals(value.Type, WellKnownTypes.Admin, StringComparison.OrdinalIgnoreCase) && AdminValue.TryDecode(value.Data, out var admin))
        {
            writer.WriteString("format", "admin");
            writer.WriteStartObject("value");
            writer.WriteString("handle", admin!.Handle);
            writer.WriteNumber("index", admin.Index);
            writer.WriteString("permissions", admin.PermissionString());
            writer.WriteEndObject();
        }
        else if (string.Equals(value.Type, WellKnownTypes.ValueList, StringComparison.OrdinalIgnoreCase) && ValueReferenceList.TryDecode(value.Data, out var references))
        {
            writer.WriteString("format", "vlist");
            writer.WritePropertyName("value");
            WriteReferences(writer, references);
        }
        else if (string.Equals(value.Type, "HS_SITE", StringComparison.OrdinalIgnoreCase) && Native.SiteInfoRecord.TryDecode(value.Data, out var site))
        {
            writer.WriteString("format", "site");
            writer.WritePropertyName("value");
            SiteJson.Write(writer, site);
        }
        else if (Utf8.IsValid(value.Data))
        {
            writer.WriteString("format", "string");
            writer.WriteString("value", value.Data);
        }
        else
        {
            writer.WriteString("format", "base64");
            writer.WriteBase64String("value", value.Data);
        }

        writer.WriteEndObject();
    }

    private static void WriteReferences(Utf8JsonWriter writer, IReadOnlyList<ValueReference> references)
    {
        writer.WriteStartArray();
        foreach (var reference in references)
        {
            writer.WriteStartObject();
            writer.WriteString("handle", reference.Handle);
            writer.WriteNumber("index", reference.Index);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static string FormatTime(long unixSeconds)
    {
        Span<byte> text = stackalloc byte[TimeLength];
        return Encoding.ASCII.GetString(text[..FormatTime(unixSeconds, text)]);
    }

    private const int TimeLength = 32;

    /// <summary>A time as <see cref="FormatTime(long)"/> writes it, formatted in place (no string per value).</summary>
    private static void WriteTime(Utf8JsonWriter writer, string name, long unixSeconds)
    {
        Span<byte> text = stackalloc byte[TimeLength];
        writer.WriteString(name, text[..FormatTime(unixSeconds, text)]);
    }

    /// <summary>
    /// RFC 3339 in UTC (<c>2026-03-17T08:00:00Z</c>): the sortable standard format, which has a fast path that a custom
    /// format string does not, and a Z.
    /// </summary>
    private static int FormatTime(long unixSeconds, Span<byte> text)
    {
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.TryFormat(text, out var written, "s", CultureInfo.InvariantCulture);
        text[written] = (byte)'Z';
        return written + 1;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdResolution.Core.Handles;
using IdResolution.Core.Values;

namespace IdResolution.Core.Templates;

/// <summary>One broken rule: which field, which rule (required, type, length, range, pattern, enum...), and why.</summary>
public sealed record TemplateViolation(string Field, int Index, string Rule, string Message);

/// <summary>
/// Checks an identifier's values against its template version: every required field present, every metadata value
/// (index >= 2000) a field of the template, of the field's name as type, within the field's kind and limits. All
/// violations are reported, not just the first.
/// </summary>
public static class TemplateValidator
{
    /// <summary>
    /// Refuses values that name <paramref name="reference"/> when that version is not published here
    /// (<paramref name="template"/> null) or when they break any of its rules, all of them listed.
    /// </summary>
    public static void Ensure(TemplateReference reference, MetadataTemplate? template, IReadOnlyList<HandleValue> values)
    {
        if (template is null)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"template {reference.Name} version {reference.Version} is not published on this node");
        }

        if (Validate(template, values) is { Count: > 0 } violations)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"{violations.Count} value(s) break template {reference}: " + string.Join("; ", violations.Select(v => v.Message)))
            {
                Violations = violations,
            };
        }
    }

    public static List<TemplateViolation> Validate(MetadataTemplate template, IReadOnlyList<HandleValue> values)
    {
        var violations = new List<TemplateViolation>();
        var byIndex = new Dictionary<int, HandleValue>();
        foreach (var value in values)
        {
            byIndex[value.Index] = value;
        }

        var known = new HashSet<int>();
        foreach (var field in template.Fields)
        {
            known.Add(field.Index);
            if (!byIndex.TryGetValue(field.Index, out var value))
            {
                if (field.Required)
                {
                    violations.Add(new(field.Name, field.Index, "required", $"{field.Name} (index {field.Index}) is required"));
                }

                continue;
            }

            if (value.Type != field.Name)
            {
                violations.Add(new(field.Name, field.Index, "type", $"index {field.Index} holds {field.Name}, not '{value.Type}'"));
                continue;
            }

            Check(field, value, violations);
        }

        foreach (var value in values)
        {
            if (value.Index >= TemplateField.FirstIndex && !known.Contains(value.Index))
            {
                violations.Add(new(value.Type, value.Index, "unknown", $"index {value.Index} ('{value.Type}') is not a field of {template.Name} {template.Version}"));
            }
        }

        return violations;
    }

    private static void Check(TemplateField field, HandleValue value, List<TemplateViolation> violations)
    {
        void Add(string rule, string message) => violations.Add(new(field.Name, field.Index, rule, $"{field.Name}: {message}"));

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(value.Data);
        }
        catch (DecoderFallbackException)
        {
            Add("text", "the data is not UTF-8 text");
            return;
        }

        if (field.MinLength is { } min && text.Length < min)
        {
            Add("minLength", $"at least {min} characters; got {text.Length}");
        }

        if (field.MaxLength is { } max && text.Length > max)
        {
            Add("maxLength", $"at most {max} characters; got {text.Length}");
        }

        if (!OfKind(field, text, out var number, out var kindError))
        {
            Add(field.Type.ToString().ToLowerInvariant(), kindError!);
            return;
        }

        if (number is { } n && (n < field.Min || n > field.Max))
        {
            Add("range", $"{n.ToString(CultureInfo.InvariantCulture)} is outside {field.Min?.ToString(CultureInfo.InvariantCulture) ?? "-inf"} .. {field.Max?.ToString(CultureInfo.InvariantCulture) ?? "+inf"}");
        }

        if (field.Pattern is { } pattern)
        {
            try
            {
                if (!Regex.IsMatch(text, "^(?:" + pattern + ")$", RegexOptions.None, MetadataTemplate.PatternTimeout))
                {
                    Add("pattern", $"'{Shorten(text)}' does not match {pattern}");
                }
            }
            catch (RegexMatchTimeoutException)
            {
                Add("pattern", "the value took too long to check against the pattern");
            }
        }
    }

    private static bool OfKind(TemplateField field, string text, out decimal? number, out string? error)
    {
        number = null;
        error = null;
        switch (field.Type)
        {
            case FieldType.Integer when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i):
                number = i;
                return true;
            case FieldType.Integer:
                error = $"'{Shorten(text)}' is not an integer";
                return false;
            case FieldType.Decimal when decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d):
                number = d;
                return true;
            case FieldType.Decimal:
                error = $"'{Shorten(text)}' is not a decimal number (digits and a '.')";
                return false;
            case FieldType.Date:
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    || Fail($"'{Shorten(text)}' is not a date (yyyy-MM-dd)", out error);
            case FieldType.DateTime:
                return Rfc3339.TryParse(text, out _)
                    || Fail($"'{Shorten(text)}' is not an RFC 3339 date-time with its offset", out error);
            case FieldType.Enum:
                return field.EnumValues.Contains(text) || Fail($"'{Shorten(text)}' is not one of {string.Join(", ", field.EnumValues)}", out error);
            case FieldType.Url:
                return (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                    || Fail($"'{Shorten(text)}' is not an http(s) URL", out error);
            case FieldType.Identifier:
                return (HandleName.TryParse(text, out _, out _) && !text.Contains("://", StringComparison.Ordinal))
                    || (Uri.TryCreate(text, UriKind.Absolute, out _) && text.Contains(':', StringComparison.Ordinal))
                    || Fail($"'{Shorten(text)}' is neither a handle nor a URI", out error);
            case FieldType.Json:
                try
                {
                    using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 32 });
                    return true;
                }
                catch (JsonException)
                {
                    return Fail("not valid JSON", out error);
                }

            default:
                return true;
        }
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";
}

using System.Text.RegularExpressions;

namespace IdResolution.Core.Templates;

/// <summary>The kinds of value a template field holds.</summary>
public enum FieldType
{
    String,
    Integer,
    Decimal,
    Date,
    DateTime,
    Enum,
    Url,
    Identifier,
    Json,
}

/// <summary>
/// One field of an industry metadata template: the value at <see cref="Index"/> (>= 2000) whose type is the field's
/// name, with its kind, whether it is required, and its limits.
/// </summary>
public sealed record TemplateField
{
    public const int FirstIndex = 2000;

    public required string Name { get; init; }

    public required int Index { get; init; }

    public required FieldType Type { get; init; }

    public bool Required { get; init; }

    public int? MinLength { get; init; }

    public int? MaxLength { get; init; }

    public decimal? Min { get; init; }

    public decimal? Max { get; init; }

    /// <summary>A regular expression the whole value must match.</summary>
    public string? Pattern { get; init; }

    public IReadOnlyList<string> EnumValues { get; init; } = [];

    public string? Unit { get; init; }

    public string? Description { get; init; }
}

/// <summary>A published, immutable version of an industry metadata template.</summary>
public sealed record MetadataTemplate
{
    /// <summary>Patterns are user input: bounded so that a hostile one cannot stall a write.</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(50);

    public required string Name { get; init; }

    public required string Version { get; init; }

    public string? IndustryCategory { get; init; }

    /// <summary>The finer classification deployed nodes file templates under (门类 / 行业 / 子类).</summary>
    public string? IndustrySpecific { get; init; }

    public string? IndustryTrade { get; init; }

    public string? IndustrySubclass { get; init; }

    public required IReadOnlyList<TemplateField> Fields { get; init; }

    public string? Description { get; init; }

    /// <summary>Why a template name is unusable, or null: 1 to 100 of letters, digits, '.', '-', '_' (an enterprise prefix fits).</summary>
    public static string? NameProblem(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            ? null
            : $"template name '{name}' must be 1 to 100 letters, digits, '.', '-' or '_'";

    /// <summary>Why a version is unusable, or null: 1 to 32 of letters, digits, '.', '-', '_' (1.0, 2026-03, v2).</summary>
    public static string? VersionProblem(string? version) =>
        !string.IsNullOrEmpty(version) && version.Length <= 32 && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            ? null
            : $"template version '{version}' must be 1 to 32 letters, digits, '.', '-' or '_'";

    /// <summary>What is wrong with the template itself (empty: it may be published).</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        if (NameProblem(Name) is { } name)
        {
            problems.Add(name);
        }

        if (VersionProblem(Version) is { } version)
        {
            problems.Add(version);
        }

        if (Fields.Count > 500)
        {
            problems.Add("a template has at most 500 fields");
        }

        if (Fields.Count == 0)
        {
            problems.Add("a template needs at least one field");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var indexes = new HashSet<int>();
        foreach (var field in Fields)
        {
            var at = $"field {field.Name}";
            if (string.IsNullOrWhiteSpace(field.Name) || field.Name.Length > 255 || field.Name.Any(char.IsControl))
            {
                problems.Add($"{at}: a name of 1 to 255 printable characters");
            }

            if (!names.Add(field.Name))
            {
                problems.Add($"{at}: the name is used twice");
            }

            if (field.Index < TemplateField.FirstIndex)
            {
                problems.Add($"{at}: index {field.Index} is below {TemplateField.FirstIndex}, the first metadata index");
            }

            if (!indexes.Add(field.Index))
            {
                problems.Add($"{at}: index {field.Index} is used twice");
            }

            if (field.MinLength > field.MaxLength || field.MinLength < 0)
            {
                problems.Add($"{at}: minLength must be >= 0 and <= maxLength");
            }

            if (field.Min > field.Max)
            {
                problems.Add($"{at}: min must be <= max");
            }

            if (field.Type == FieldType.Enum && field.EnumValues.Count == 0)
            {
                problems.Add($"{at}: an enum needs its values");
            }

            if (field.Pattern is not null && !PatternCompiles(field.Pattern))
            {
                problems.Add($"{at}: the pattern is not a valid regular expression");
            }
        }

        return problems;
    }

    private static bool PatternCompiles(string pattern)
    {
        try
        {
            // As the validator uses it: anchored around the whole value (a '#' comment under (?x) must not swallow the anchors).
            _ = new Regex("^(?:" + pattern + ")$", RegexOptions.None, PatternTimeout);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

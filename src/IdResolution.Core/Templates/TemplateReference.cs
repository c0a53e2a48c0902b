using System.Diagnostics.CodeAnalysis;
using System.Text;
using IdResolution.Core.Values;

namespace IdResolution.Core.Templates;

/// <summary>
/// The template version an identifier follows, held in its value at index 1001 (type <c>TEMPLATE</c>, data
/// <c>name@version</c>, e.g. <c>daily-chemicals@1.0</c>), as deployed industry nodes reserve that index.
/// </summary>
public sealed record TemplateReference(string Name, string Version)
{
    public const int Index = 1001;
    public const string ValueType = "TEMPLATE";

    public override string ToString() => $"{Name}@{Version}";

    public HandleValue ToValue() => new(Index, ValueType, Encoding.UTF8.GetBytes(ToString()));

    /// <summary>The reference the values hold (null: they follow no template); a malformed one is refused.</summary>
    public static TemplateReference? From(IReadOnlyList<HandleValue> values)
    {
        foreach (var value in values)
        {
            if (value.Index != Index)
            {
                continue;
            }

            if (value.Type != ValueType)
            {
                throw new HandleException(ResponseCode.InvalidValue, $"value {Index} names the identifier's template: its type is {ValueType}, not {value.Type}");
            }

            return TryParse(Encoding.UTF8.GetString(value.Data), out var reference, out var error)
                ? reference
                : throw new HandleException(ResponseCode.InvalidValue, $"value {Index} names the identifier's template as name@version: {error}");
        }

        return null;
    }

    public static bool TryParse(string text, [NotNullWhen(true)] out TemplateReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            error = $"'{text}' is not name@version";
            return false;
        }

        var (name, version) = (text[..at], text[(at + 1)..]);
        error = MetadataTemplate.NameProblem(name) ?? MetadataTemplate.VersionProblem(version);
        reference = error is null ? new TemplateReference(name, version) : null;
        return error is null;
    }
}

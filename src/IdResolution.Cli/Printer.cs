using System.Text.Json;
using Spectre.Console;

namespace IdResolution.Cli;

/// <summary>Answers for people (tables) or, with <c>--json</c>, for scripts (the node's JSON, indented).</summary>
public sealed class Printer(TextWriter output, bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = output == System.Console.Out ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = output == System.Console.Out ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = output == System.Console.Out ? InteractionSupport.Detect : InteractionSupport.No,
    });

    public bool Json => json;

    /// <summary>The node's answer as JSON when scripted; otherwise what <paramref name="forPeople"/> prints.</summary>
    public void Print(JsonElement answer, Action<IAnsiConsole, JsonElement> forPeople)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(answer, Indented));
        }
        else
        {
            forPeople(Console, answer);
        }
    }

    /// <summary>A table of the given columns, one row per element of <paramref name="rows"/>.</summary>
    public static void Table(IAnsiConsole console, IEnumerable<JsonElement> rows, params (string Header, Func<JsonElement, string> Cell)[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var (header, _) in columns)
        {
            table.AddColumn(header);
        }

        foreach (var row in rows)
        {
            table.AddRow(columns.Select(c => Markup.Escape(c.Cell(row))).ToArray());
        }

        console.Write(table);
    }

    public static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Null or JsonValueKind.Undefined => "",
                _ => value.GetRawText(),
            }
            : "";

    /// <summary>A Handle value's data as text: the string, or the JSON of other formats.</summary>
    public static string Data(JsonElement value) =>
        value.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("value", out var inner)
            ? inner.ValueKind == JsonValueKind.String ? inner.GetString()! : inner.GetRawText()
            : Text(value, "data");
}

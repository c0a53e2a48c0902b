using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace IdResolution.Cli.Commands;

/// <summary><c>idres register|update|delete</c>: one identifier's values, given as <c>--value INDEX:TYPE=DATA</c> or a JSON file.</summary>
public static class RecordCommands
{
    public static Command Register(CliContext context)
    {
        var (name, values, template, file) = Arguments();
        var command = new Command("register", "Registers a new identifier.") { name, values, template, file };
        command.SetAction(async (result, cancellation) =>
            await WriteAsync(context, result, $"/api/handles/{ResolveCommand.Path(result.GetValue(name)!)}?overwrite=false", Body(result, values, template, file)!, cancellation));
        return command;
    }

    public static Command Update(CliContext context)
    {
        var (name, values, template, file) = Arguments();
        var command = new Command("update", "Adds or replaces the given values of a registered identifier (the others are kept).") { name, values, template, file };
        command.SetAction(async (result, cancellation) =>
        {
            var body = Body(result, values, template, file)!;
            using var document = JsonDocument.Parse(body);
            var indexes = string.Join('&', document.RootElement.GetProperty("values").EnumerateArray().Select(v => "index=" + v.GetProperty("index").GetInt32()));
            return await WriteAsync(context, result, $"/api/handles/{ResolveCommand.Path(result.GetValue(name)!)}?{indexes}", body, cancellation);
        });
        return command;
    }

    public static Command Delete(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The identifier" };
        var indexes = new Option<int[]>("--index") { Description = "Delete only the values at these indexes (repeatable)" };
        var command = new Command("delete", "Deletes an identifier, or some of its values.") { name, indexes };
        command.SetAction(async (result, cancellation) =>
        {
            var only = result.GetValue(indexes) ?? [];
            var query = only.Length == 0 ? "" : "?" + string.Join('&', only.Select(i => "index=" + i));
            var (client, printer) = context.Open(result);
            using (client)
            {
                var answer = await client.SendAsync(HttpMethod.Delete, $"/api/handles/{ResolveCommand.Path(result.GetValue(name)!)}{query}", (string?)null, cancellation);
                printer.Print(answer, (console, _) => console.WriteLine($"deleted {result.GetValue(name)}{(only.Length > 0 ? $" values {string.Join(", ", only)}" : "")}"));
            }

            return 0;
        });
        return command;
    }

    private static (Argument<string> Name, Option<string[]> Values, Option<string?> Template, Option<FileInfo?> File) Arguments() =>
        (new Argument<string>("name") { Description = "The identifier" },
         new Option<string[]>("--value", "-v") { Description = "A value INDEX:TYPE=DATA, e.g. 1:URL=https://example.com (repeatable)" },
         new Option<string?>("--template") { Description = "The template version the identifier follows (name@version; value 1001)" },
         new Option<FileInfo?>("--file") { Description = "A JSON file of values ({\"values\":[...]} as the REST API takes)" });

    /// <summary>The request body: the file's JSON, or the --value options as <c>{"values":[...]}</c>.</summary>
    private static string? Body(ParseResult result, Option<string[]> values, Option<string?> template, Option<FileInfo?> file)
    {
        if (result.GetValue(file) is { } json)
        {
            return json.Exists ? File.ReadAllText(json.FullName) : throw new CliException($"{json.FullName} does not exist");
        }

        var list = new List<object>();
        if (result.GetValue(template) is { } reference)
        {
            list.Add(new { index = 1001, type = "TEMPLATE", data = reference });
        }

        foreach (var text in result.GetValue(values) ?? [])
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (colon <= 0 || equals <= colon + 1 || !int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new CliException($"--value '{text}': write INDEX:TYPE=DATA, e.g. 2000:productName=Shampoo");
            }

            list.Add(new { index, type = text[(colon + 1)..equals], data = text[(equals + 1)..] });
        }

        return list.Count == 0 ? throw new CliException("no values: give --value INDEX:TYPE=DATA (repeatable) or --file") : JsonSerializer.Serialize(new { values = list });
    }

    private static async Task<int> WriteAsync(CliContext context, ParseResult result, string path, string body, CancellationToken cancellation)
    {
        var (client, printer) = context.Open(result);
        using (client)
        {
            var answer = await client.SendAsync(HttpMethod.Put, path, body, cancellation);
            printer.Print(answer, (console, a) => console.WriteLine($"{Printer.Text(a, "handle")}: written"));
        }

        return 0;
    }
}

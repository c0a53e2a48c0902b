using System.CommandLine;
using Spectre.Console;

namespace IdResolution.Cli.Commands;

/// <summary><c>idres resolve NAME [--type T] [--index N]</c>: a handle, an OID (oid:...) or a GS1 key (GS1/01/...).</summary>
public static class ResolveCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "A handle (88.118.8.1001/X), an OID (oid:1.2.156...) or a GS1 key (GS1/01/...)" };
        var types = new Option<string[]>("--type") { Description = "Only values of this type (repeatable; a trailing '.' selects sub-types)" };
        var indexes = new Option<int[]>("--index") { Description = "Only values at this index (repeatable)" };
        var command = new Command("resolve", "Resolves an identifier and prints its values.") { name, types, indexes };
        command.SetAction(async (result, cancellation) =>
        {
            var (client, printer) = context.Open(result);
            using (client)
            {
                var query = string.Join('&', (result.GetValue(types) ?? []).Select(t => "type=" + Uri.EscapeDataString(t))
                    .Concat((result.GetValue(indexes) ?? []).Select(i => "index=" + i)));
                var answer = await client.GetAsync($"/api/handles/{Path(result.GetValue(name)!)}{(query.Length > 0 ? "?" + query : "")}", cancellation);
                printer.Print(answer, (console, record) =>
                {
                    console.WriteLine(Printer.Text(record, "handle"));
                    if (record.TryGetProperty("aliases", out var aliases))
                    {
                        console.WriteLine("also known as: " + string.Join(", ", aliases.EnumerateArray().Select(a => a.GetString())));
                    }

                    Printer.Table(console, record.GetProperty("values").EnumerateArray(),
                        ("index", v => Printer.Text(v, "index")), ("type", v => Printer.Text(v, "type")), ("data", Printer.Data), ("ttl", v => Printer.Text(v, "ttl")));
                });
            }

            return 0;
        });
        return command;
    }

    /// <summary>A name in a URL path: each '/'-separated part escaped, the slashes kept.</summary>
    public static string Path(string name) => string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
}

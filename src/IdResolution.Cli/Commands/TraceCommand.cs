using System.CommandLine;
using Spectre.Console;

namespace IdResolution.Cli.Commands;

/// <summary><c>idres trace ID [--forward] [--depth N]</c>: what went into an object, or what it went into.</summary>
public static class TraceCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The object: a handle, a GS1 key or EPC URN, any URI" };
        var forward = new Option<bool>("--forward") { Description = "Trace forward (what it went into); default: back (what went into it)" };
        var depth = new Option<int>("--depth") { Description = "Steps to follow", DefaultValueFactory = _ => 10 };
        var command = new Command("trace", "Prints an object's genealogy with each object's current state.") { id, forward, depth };
        command.SetAction(async (result, cancellation) =>
        {
            var (client, printer) = context.Open(result);
            using (client)
            {
                var direction = result.GetValue(forward) ? "forward" : "back";
                var answer = await client.GetAsync($"/epcis/trace/{direction}?epc={Uri.EscapeDataString(result.GetValue(id)!)}&depth={result.GetValue(depth)}", cancellation);
                printer.Print(answer, (console, graph) =>
                {
                    Printer.Table(console, graph.GetProperty("nodes").EnumerateArray(),
                        ("depth", n => Printer.Text(n, "depth")), ("object", n => Printer.Text(n, "id")),
                        ("disposition", n => Printer.Text(n, "disposition")), ("location", n => Printer.Text(n, "location")), ("custodian", n => Printer.Text(n, "custodian")));
                    console.WriteLine($"{graph.GetProperty("edges").GetArrayLength()} links");
                });
            }

            return 0;
        });
        return command;
    }
}

using System.Collections;
using System.CommandLine;
using IdResolution.Cli.Commands;

namespace IdResolution.Cli;

/// <summary>
/// <c>idres</c>: the node's operations for operators and enterprises — resolve, register, update, delete, import,
/// export, trace, prefixes, templates, keys. Exit code 0 on success, 1 with the reason on stderr otherwise.
/// </summary>
public static class CliApp
{
    public static readonly Option<string?> Url = new("--url") { Description = $"The node's HTTP URL (env IDRES_URL; default {CliSettings.DefaultUrl})", Recursive = true };
    public static readonly Option<string?> Key = new("--key") { Description = "The key or token to act with (env IDRES_KEY)", Recursive = true };
    public static readonly Option<string?> Config = new("--config") { Description = "A config file {\"url\":...,\"key\":...} (env IDRES_CONFIG; default ~/.config/idres/config.json)", Recursive = true };
    public static readonly Option<bool> Json = new("--json") { Description = "Print the node's JSON (for scripts) instead of tables", Recursive = true };

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IDictionary environment, HttpMessageHandler? handler = null)
    {
        var context = new CliContext(output, environment, handler);
        var root = new RootCommand("idres: work with an IdResolution identifier node")
        {
            Url, Key, Config, Json,
            ResolveCommand.Create(context),
            RecordCommands.Register(context),
            RecordCommands.Update(context),
            RecordCommands.Delete(context),
            BulkCommands.Import(context),
            BulkCommands.Export(context),
            TraceCommand.Create(context),
            AdminCommands.Prefixes(context),
            AdminCommands.Templates(context),
            AdminCommands.Keys(context),
        };

        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            await error.WriteLineAsync("idres: " + e.Message);
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            // An answer cut off or not in the shape expected: said plainly, never a stack trace.
            await error.WriteLineAsync("idres: the node's answer could not be read: " + e.Message);
            return 1;
        }
    }
}

/// <summary>What every command needs: its settings (from the parsed options), a client and a printer.</summary>
public sealed class CliContext(TextWriter output, IDictionary environment, HttpMessageHandler? handler)
{
    public TextWriter Output => output;

    public (NodeClient Client, Printer Printer) Open(ParseResult result)
    {
        var settings = CliSettings.From(result.GetValue(CliApp.Url), result.GetValue(CliApp.Key), result.GetValue(CliApp.Config), result.GetValue(CliApp.Json), environment);
        return (new NodeClient(settings, handler), new Printer(output, settings.Json));
    }
}

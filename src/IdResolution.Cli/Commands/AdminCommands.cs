using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace IdResolution.Cli.Commands;

/// <summary><c>idres prefixes|templates|keys ...</c>: what operators and enterprise admins manage.</summary>
public static class AdminCommands
{
    public static Command Prefixes(CliContext context)
    {
        var list = new Command("list", "Lists the prefixes the node serves.");
        list.SetAction((result, cancellation) => RunAsync(context, result, c => c.GetAsync("/api/prefixes", cancellation), (console, a) =>
            Printer.Table(console, a.GetProperty("prefixes").EnumerateArray(), ("prefix", p => p.GetString()!))));
        var prefix = new Argument<string>("prefix") { Description = "The prefix to home here (88.118.8.1005, oid:1.2.156..., gs1:6901234)" };
        var create = new Command("create", "Homes a prefix on the node (operators; enterprise admins under their own prefixes).") { prefix };
        create.SetAction((result, cancellation) => RunAsync(context, result,
            c => c.SendAsync(HttpMethod.Post, $"/api/prefixes/{Uri.EscapeDataString(result.GetValue(prefix)!)}", (string?)null, cancellation),
            (console, a) => console.WriteLine($"{Printer.Text(a, "prefix")}: served")));
        var delete = new Command("delete", "Unhomes a prefix that holds no identifiers, and unfiles it with the top-level node (operators).") { prefix };
        delete.SetAction((result, cancellation) => RunAsync(context, result,
            c => c.SendAsync(HttpMethod.Delete, $"/api/prefixes/{Uri.EscapeDataString(result.GetValue(prefix)!)}", (string?)null, cancellation),
            (console, _) => console.WriteLine($"{result.GetValue(prefix)}: no longer served")));
        var pending = new Option<bool>("--pending") { Description = "Only filings the top-level node has not acknowledged yet" };
        var filings = new Command("filings", "Filings of prefixes with the top-level node, newest first (operators).") { pending };
        filings.SetAction((result, cancellation) => RunAsync(context, result,
            c => c.GetAsync("/api/hierarchy/filings" + (result.GetValue(pending) ? "?pending=true" : ""), cancellation), (console, a) =>
            Printer.Table(console, a.GetProperty("filings").EnumerateArray(),
                ("prefix", f => Printer.Text(f, "prefix")), ("action", f => Printer.Text(f, "action")), ("attempts", f => Printer.Text(f, "attempts")),
                ("delivered", f => Printer.Text(f, "deliveredAt")), ("next attempt", f => Printer.Text(f, "nextAttemptAt")), ("last error", f => Printer.Text(f, "lastError")))));
        return new Command("prefixes", "Prefixes served by the node.") { list, create, delete, filings };
    }

    public static Command Templates(CliContext context)
    {
        var list = new Command("list", "Lists template versions and their status.");
        list.SetAction((result, cancellation) => RunAsync(context, result, c => c.GetAsync("/api/templates", cancellation), (console, a) =>
            Printer.Table(console, a.GetProperty("templates").EnumerateArray(),
                ("template", t => Printer.Text(t, "reference")), ("status", t => Printer.Text(t, "status")), ("fields", t => Printer.Text(t, "fieldCount")), ("industry", t => Printer.Text(t, "industryCategory")))));

        var name = new Argument<string>("name") { Description = "The template's name" };
        var version = new Argument<string>("version") { Description = "The version" };
        var show = new Command("show", "Prints a template version's fields.") { name, version };
        show.SetAction((result, cancellation) => RunAsync(context, result, c => c.GetAsync(TemplatePath(result, name, version), cancellation), (console, a) =>
        {
            console.WriteLine($"{Printer.Text(a, "reference")} ({Printer.Text(a, "status")})");
            Printer.Table(console, a.GetProperty("fields").EnumerateArray(),
                ("index", f => Printer.Text(f, "index")), ("field", f => Printer.Text(f, "name")), ("type", f => Printer.Text(f, "type")),
                ("required", f => Printer.Text(f, "required")), ("limits", Limits));
        }));

        var file = new Argument<FileInfo>("file") { Description = "The template as JSON ({name, version, fields:[...]})" };
        var publishNow = new Option<bool>("--publish") { Description = "Publish at once instead of saving a draft" };
        var create = new Command("create", "Saves a template version from a JSON file.") { file, publishNow };
        create.SetAction((result, cancellation) =>
        {
            var input = result.GetValue(file)!;
            var body = input.Exists ? File.ReadAllText(input.FullName) : throw new CliException($"{input.FullName} does not exist");
            return RunAsync(context, result, c => c.SendAsync(HttpMethod.Post, "/api/templates" + (result.GetValue(publishNow) ? "?publish=true" : ""), body, cancellation),
                (console, a) => console.WriteLine($"{Printer.Text(a, "reference")}: {Printer.Text(a, "status")}"));
        });

        var publish = new Command("publish", "Publishes a draft (it never changes after).") { name, version };
        publish.SetAction((result, cancellation) => RunAsync(context, result,
            c => c.SendAsync(HttpMethod.Post, TemplatePath(result, name, version) + "/publish", (string?)null, cancellation),
            (console, a) => console.WriteLine($"{Printer.Text(a, "reference")}: published")));
        return new Command("templates", "Industry metadata templates.") { list, show, create, publish };
    }

    public static Command Keys(CliContext context)
    {
        var list = new Command("list", "Lists the keys the caller may see.");
        list.SetAction((result, cancellation) => RunAsync(context, result, c => c.GetAsync("/admin/keys", cancellation), (console, a) =>
            Printer.Table(console, a.GetProperty("keys").EnumerateArray(),
                ("id", k => Printer.Text(k, "id")), ("name", k => Printer.Text(k, "name")), ("role", k => Printer.Text(k, "role")),
                ("enterprise", k => Printer.Text(k, "enterpriseId")), ("expires", k => Printer.Text(k, "expiresAt")), ("revoked", k => Printer.Text(k, "revokedAt")))));

        var role = new Option<string>("--role") { Description = "admin, writer or reader (operator, and site on a top-level node: operators only)", Required = true };
        var identity = new Option<string?>("--identity") { Description = "Admin identity index:handle (a site key: 300:0.NA/<prefix>, the prefix tree it may file)" };
        var name = new Option<string?>("--name") { Description = "What the key is for" };
        var enterprise = new Option<long?>("--enterprise") { Description = "The enterprise it acts for (operators choose; admins get their own)" };
        var expires = new Option<DateTimeOffset?>("--expires") { Description = "When it stops working (ISO 8601)" };
        var issue = new Command("issue", "Issues a key; its secret is shown once.") { role, name, enterprise, expires, identity };
        issue.SetAction((result, cancellation) =>
        {
            var body = JsonSerializer.Serialize(new { name = result.GetValue(name) ?? $"{result.GetValue(role)} key", role = result.GetValue(role), enterpriseId = result.GetValue(enterprise), expiresAt = result.GetValue(expires), identity = result.GetValue(identity) });
            return RunAsync(context, result, c => c.SendAsync(HttpMethod.Post, "/admin/keys", body, cancellation),
                (console, a) => console.WriteLine($"key {Printer.Text(a, "id")} ({Printer.Text(a, "role")}): {Printer.Text(a, "key")}\nkeep it now: it is not shown again"));
        });

        var id = new Argument<long>("id") { Description = "The key's id" };
        var revoke = new Command("revoke", "Revokes a key (and its tokens), on every node at once.") { id };
        revoke.SetAction((result, cancellation) => RunAsync(context, result,
            c => c.SendAsync(HttpMethod.Delete, $"/admin/keys/{result.GetValue(id)}", (string?)null, cancellation),
            (console, _) => console.WriteLine($"key {result.GetValue(id)}: revoked")));
        return new Command("keys", "Access keys.") { list, issue, revoke };
    }

    private static string TemplatePath(ParseResult result, Argument<string> name, Argument<string> version) =>
        $"/api/templates/{Uri.EscapeDataString(result.GetValue(name)!)}/{Uri.EscapeDataString(result.GetValue(version)!)}";

    private static string Limits(JsonElement field)
    {
        var limits = new List<string>();
        foreach (var name in (string[])["minLength", "maxLength", "min", "max", "pattern", "unit"])
        {
            if (field.TryGetProperty(name, out _))
            {
                limits.Add($"{name}={Printer.Text(field, name)}");
            }
        }

        if (field.TryGetProperty("values", out var values))
        {
            limits.Add($"values={string.Join('|', values.EnumerateArray().Select(v => v.GetString()))}");
        }

        return string.Join(' ', limits);
    }

    private static async Task<int> RunAsync(CliContext context, ParseResult result, Func<NodeClient, Task<JsonElement>> call, Action<IAnsiConsole, JsonElement> forPeople)
    {
        var (client, printer) = context.Open(result);
        using (client)
        {
            printer.Print(await call(client), forPeople);
        }

        return 0;
    }
}

using System.Collections;
using System.Text.Json;
using IdResolution.Cli;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Cli;

/// <summary>The idres CLI end to end against a running node (PostgreSQL, Redis), as a person and as a script would use it.</summary>
public sealed class CliTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("idres-cli-").FullName;

    private NodeServer Node => fixture.Node;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed record Run(int Exit, string Output, string Error);

    private static async Task<Run> WithEnvironmentAsync(IDictionary? environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, output, error, environment ?? new Hashtable());
        return new Run(exit, output.ToString(), error.ToString());
    }

    private Task<Run> IdresAsync(string key, params string[] args) =>
        WithEnvironmentAsync(null, [.. args, "--url", Node.HttpUrl.ToString(), "--key", key]);

    [Fact]
    public async Task RegisterResolveUpdateDelete_ForPeopleAndForScripts()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var writer = await tenant.IssueAsync(Node, "writer");
        var handle = $"{tenant.Prefix}/CLI-1";

        var registered = await IdresAsync(writer.Secret, "register", handle, "--value", "1:URL=https://cli.example/1", "-v", "2000:productName=洗发水");
        var table = await IdresAsync(writer.Secret, "resolve", handle);
        var updated = await IdresAsync(writer.Secret, "update", handle, "-v", "2000:productName=Conditioner");
        var json = await IdresAsync(writer.Secret, "resolve", handle, "--json", "--type", "productName");
        var again = await IdresAsync(writer.Secret, "register", handle, "-v", "1:URL=https://cli.example/x");
        var deleted = await IdresAsync(writer.Secret, "delete", handle);
        var gone = await IdresAsync(writer.Secret, "resolve", handle);

        Assert.Equal(0, registered.Exit);
        Assert.Contains("written", registered.Output, StringComparison.Ordinal);
        Assert.Equal(0, table.Exit);
        Assert.Contains("https://cli.example/1", table.Output, StringComparison.Ordinal);
        Assert.Contains("洗发水", table.Output, StringComparison.Ordinal);
        Assert.Equal(0, updated.Exit);
        var values = JsonDocument.Parse(json.Output).RootElement.GetProperty("values");
        Assert.Equal("Conditioner", values[0].GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(1, values.GetArrayLength());
        Assert.Equal(1, again.Exit);
        Assert.Contains("409", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, deleted.Exit);
        Assert.Equal(1, gone.Exit);
        Assert.Contains("404", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportExport_RoundTrip_AndBadRowsFailTheCommandWithTheirLines()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var writer = await tenant.IssueAsync(Node, "writer");
        var csv = Path.Combine(_directory, "ids.csv");
        await File.WriteAllTextAsync(csv, $"handle,1:URL,2000:productName\n{tenant.Prefix}/I-1,https://i.example/1,A\n{tenant.Prefix}/I-2,https://i.example/2,B\n{tenant.Prefix}/I-3,https://i.example/3,C\n");
        var bad = Path.Combine(_directory, "bad.csv");
        await File.WriteAllTextAsync(bad, $"handle,1:URL\n{tenant.Prefix}/I-4,https://i.example/4\nno-slash,https://x.example\n");
        var exported = Path.Combine(_directory, "out.jsonl");

        var imported = await IdresAsync(writer.Secret, "import", csv);
        var export = await IdresAsync(writer.Secret, "export", "--prefix", tenant.Prefix, "-o", exported);
        var partly = await IdresAsync(writer.Secret, "import", bad);
        var scripted = await IdresAsync(writer.Secret, "import", csv, "--json");

        Assert.Equal(0, imported.Exit);
        Assert.Contains("imported 3", imported.Output, StringComparison.Ordinal);
        Assert.Equal(0, export.Exit);
        Assert.Equal(3, (await File.ReadAllLinesAsync(exported)).Length);
        Assert.Contains($"\"handle\":\"{tenant.Prefix}/I-2\"", await File.ReadAllTextAsync(exported), StringComparison.Ordinal);
        Assert.Equal(1, partly.Exit);
        Assert.Contains("no-slash", partly.Output, StringComparison.Ordinal);
        Assert.Equal(3, JsonDocument.Parse(scripted.Output).RootElement.GetProperty("existing").GetInt32());
    }

    [Fact]
    public async Task TemplatesKeysPrefixesAndTrace_AsAnOperatorWouldUseThem()
    {
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(_directory, "template.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { name, version = "1.0", fields = new[] { new { name = "colour", index = 2000, type = "enum", values = new[] { "red", "blue" } } } }));
        var tenant = await Tenant.CreateAsync(Node);
        var token = NodeServer.OperatorToken;

        var created = await IdresAsync(token, "templates", "create", file);
        var published = await IdresAsync(token, "templates", "publish", name, "1.0");
        var shown = await IdresAsync(token, "templates", "show", name, "1.0");
        var issued = await IdresAsync(token, "keys", "issue", "--role", "reader", "--enterprise", tenant.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        var keyId = JsonDocument.Parse(issued.Output).RootElement.GetProperty("id").GetInt64();
        var keys = await IdresAsync(token, "keys", "list");
        var revoked = await IdresAsync(token, "keys", "revoke", keyId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var prefixes = await IdresAsync(token, "prefixes", "list");
        (await Node.SendAsync(HttpMethod.Post, "/epcis/events", JsonSerializer.Serialize(new
        {
            type = "TransformationEvent",
            eventTime = "2026-03-17T08:00:00Z",
            eventTimeZoneOffset = "+00:00",
            inputEPCList = new[] { $"{tenant.Prefix}/MILK" },
            outputEPCList = new[] { $"{tenant.Prefix}/CHEESE" },
        }))).EnsureSuccessStatusCode();
        var trace = await IdresAsync(token, "trace", $"{tenant.Prefix}/CHEESE");

        Assert.Equal((0, 0, 0), (created.Exit, published.Exit, shown.Exit));
        Assert.Contains("draft", created.Output, StringComparison.Ordinal);
        Assert.Contains("values=red|blue", shown.Output, StringComparison.Ordinal);
        Assert.Contains("reader", keys.Output, StringComparison.Ordinal);
        Assert.Equal(0, revoked.Exit);
        Assert.Contains(tenant.Prefix, prefixes.Output, StringComparison.Ordinal);
        Assert.Contains($"{tenant.Prefix}/MILK", trace.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsComeFromOptionsEnvironmentOrConfig_AndMistakesAreSaidClearly()
    {
        var config = Path.Combine(_directory, "config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { url = Node.HttpUrl.ToString(), key = NodeServer.OperatorToken }));

        var fromConfig = await WithEnvironmentAsync(new Hashtable { ["IDRES_CONFIG"] = config }, "prefixes", "list");
        var fromEnvironment = await WithEnvironmentAsync(new Hashtable { ["IDRES_URL"] = Node.HttpUrl.ToString(), ["IDRES_KEY"] = NodeServer.OperatorToken }, "keys", "list");
        var badUrl = await WithEnvironmentAsync(null, "resolve", "88.118.8.1001/x", "--url", "ftp://nowhere");
        var unreachable = await WithEnvironmentAsync(null, "resolve", "88.118.8.1001/x", "--url", "http://127.0.0.1:9");
        var noKey = await WithEnvironmentAsync(new Hashtable { ["IDRES_URL"] = Node.HttpUrl.ToString() }, "keys", "list");
        var badValue = await IdresAsync(NodeServer.OperatorToken, "register", "88.118.8.1001/x", "-v", "URL=https://x");
        var usage = await WithEnvironmentAsync(null, "resolve");

        Assert.Equal(0, fromConfig.Exit);
        Assert.Equal(0, fromEnvironment.Exit);
        Assert.Equal(1, badUrl.Exit);
        Assert.Contains("is not a node URL", badUrl.Error, StringComparison.Ordinal);
        Assert.Equal(1, unreachable.Exit);
        Assert.Contains("cannot reach the node", unreachable.Error, StringComparison.Ordinal);
        Assert.Equal(1, noKey.Exit);
        Assert.Contains("401", noKey.Error, StringComparison.Ordinal);
        Assert.Equal(1, badValue.Exit);
        Assert.Contains("INDEX:TYPE=DATA", badValue.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, usage.Exit);
    }
}

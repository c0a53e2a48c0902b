using System.Text.Json;
using IdResolution.Core.Handles;
using IdResolution.Core.Json;
using IdResolution.Core.Templates;
using IdResolution.Core.Traceability;
using IdResolution.Registry;
using IdResolution.Registry.Traceability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Startup;

/// <summary>
/// Loads the sample data in seeds/ into an empty registry. On by default for the embedded registry
/// (<c>Seeds:Load</c> overrides); a registry that holds any handle is never seeded again.
/// </summary>
public static partial class SeedLoader
{
    public static async Task LoadOnFirstStartAsync(WebApplication app, IServiceProvider services)
    {
        var provider = services.GetRequiredService<IOptions<RegistryOptions>>().Value.Provider;
        if (!app.Configuration.GetValue("Seeds:Load", provider == RegistryProvider.Sqlite))
        {
            return;
        }

        var db = services.GetRequiredService<RegistryContext>();
        if (await db.Handles.AnyAsync())
        {
            return;
        }

        var directory = app.Configuration["Seeds:Path"] ?? Path.Combine(AppContext.BaseDirectory, "seeds");
        var file = Path.Combine(directory, "registry.json");
        if (!File.Exists(file))
        {
            LogNoSeeds(app.Logger, file);
            return;
        }

        var count = await LoadAsync(file, services);
        LogSeeded(app.Logger, count, file);
    }

    /// <summary>
    /// Loads one seed file: <c>{"prefixes":[...],"enterprises":[{...,"prefixes":[...]}],"templates":[...],"handles":[...]}</c>
    /// (node prefixes, enterprise accounts with the prefixes they own, published templates, identifiers), then the
    /// EPCIS document <c>events.json</c> beside it when there is one.
    /// </summary>
    public static async Task<int> LoadAsync(string file, IServiceProvider services)
    {
        await using (var stream = File.OpenRead(file))
        {
            using var document = await JsonDocument.ParseAsync(stream);
            var root = document.RootElement;
            var prefixes = services.GetRequiredService<PrefixRegistry>();
            foreach (var prefix in Array(root, "prefixes"))
            {
                await prefixes.CreateAsync(PrefixName.Parse(prefix.GetString()!), owner: null, CancellationToken.None);
            }

            await LoadEnterprisesAsync(root, services);
            var templates = services.GetRequiredService<TemplateStore>();
            foreach (var template in Array(root, "templates"))
            {
                await templates.CreateAsync(TemplateJson.Read(template), owner: null, publish: true, CancellationToken.None);
            }

            var handles = services.GetRequiredService<HandleRegistry>();
            var count = 0;
            foreach (var entry in Array(root, "handles"))
            {
                var name = HandleName.Parse(entry.GetProperty("handle").GetString()!);
                await handles.ReplaceAsync(name, HandleJsonReader.ReadValues(entry, out _), CancellationToken.None);
                count++;
            }

            await LoadEventsAsync(Path.Combine(Path.GetDirectoryName(file)!, "events.json"), services);
            return count;
        }
    }

    private static async Task LoadEnterprisesAsync(JsonElement root, IServiceProvider services)
    {
        var enterprises = services.GetRequiredService<EnterpriseStore>();
        var prefixes = services.GetRequiredService<PrefixRegistry>();
        foreach (var entry in Array(root, "enterprises"))
        {
            var enterprise = await enterprises.CreateAsync(
                Text(entry, "name"), Text(entry, "creditCode"), Text(entry, "contact"), Text(entry, "email"), CancellationToken.None);
            foreach (var prefix in Array(entry, "prefixes"))
            {
                await prefixes.AssignAsync(PrefixName.Parse(prefix.GetString()!), enterprise.Id, CancellationToken.None);
            }
        }
    }

    private static async Task LoadEventsAsync(string file, IServiceProvider services)
    {
        if (!File.Exists(file))
        {
            return;
        }

        await using var stream = File.OpenRead(file);
        using var document = await JsonDocument.ParseAsync(stream);
        await services.GetRequiredService<EventCapture>().CaptureAsync(EpcisEventReader.ReadDocument(document.RootElement), CancellationToken.None);
    }

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Loaded {Count} sample identifiers from {File}")]
    private static partial void LogSeeded(ILogger logger, int count, string file);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "No sample data at {File}; starting with an empty registry")]
    private static partial void LogNoSeeds(ILogger logger, string file);
}

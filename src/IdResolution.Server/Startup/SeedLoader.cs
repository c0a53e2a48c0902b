using System.Text.Json;
using IdResolution.Core.Handles;
using IdResolution.Core.Json;
using IdResolution.Registry;
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

    /// <summary>Loads one seed file: <c>{"prefixes":[...],"handles":[{"handle":...,"values":[...]}]}</c>.</summary>
    public static async Task<int> LoadAsync(string file, IServiceProvider services)
    {
        await using var stream = File.OpenRead(file);
        using var document = await JsonDocument.ParseAsync(stream);
        var prefixes = services.GetRequiredService<PrefixRegistry>();
        var handles = services.GetRequiredService<HandleRegistry>();
        foreach (var prefix in document.RootElement.GetProperty("prefixes").EnumerateArray())
        {
            await prefixes.CreateAsync(PrefixName.Parse(prefix.GetString()!), owner: null, CancellationToken.None);
        }

        var count = 0;
        foreach (var entry in document.RootElement.GetProperty("handles").EnumerateArray())
        {
            var name = HandleName.Parse(entry.GetProperty("handle").GetString()!);
            await handles.ReplaceAsync(name, HandleJsonReader.ReadValues(entry, out _), CancellationToken.None);
            count++;
        }

        return count;
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Loaded {Count} sample identifiers from {File}")]
    private static partial void LogSeeded(ILogger logger, int count, string file);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "No sample data at {File}; starting with an empty registry")]
    private static partial void LogNoSeeds(ILogger logger, string file);
}

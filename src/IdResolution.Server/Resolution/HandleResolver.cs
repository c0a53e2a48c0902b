using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Registry;

namespace IdResolution.Server.Resolution;

/// <summary>
/// Resolves identifiers for every protocol: parses and normalises the names, reads the records, and
/// tells "not registered here" (100) from "not served here" (301).
/// </summary>
public sealed class HandleResolver(HandleRegistry handles, PrefixRegistry prefixes)
{
    public const int MaxBatch = 1000;

    public async ValueTask<Resolution> ResolveAsync(string text, CancellationToken cancellationToken)
    {
        if (!HandleName.TryParse(text, out var name, out var error))
        {
            return Resolution.Failed(ResponseCode.InvalidHandle, text, error);
        }

        var record = await handles.FindAsync(name, cancellationToken);
        if (record is not null)
        {
            return Resolution.Found(record);
        }

        return await prefixes.IsServedAsync(name.Prefix, cancellationToken) ? NotFound(text) : NotServed(text, name);
    }

    /// <summary>Resolves many identifiers with one registry query for the records and one for the prefixes of misses.</summary>
    public async Task<Resolution[]> ResolveManyAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var results = new Resolution[texts.Count];
        var names = new HandleName?[texts.Count];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            if (HandleName.TryParse(texts[i], out var name, out var error))
            {
                names[i] = name;
                keys.Add(name.Key);
            }
            else
            {
                results[i] = Resolution.Failed(ResponseCode.InvalidHandle, texts[i], error);
            }
        }

        var records = keys.Count == 0 ? [] : await handles.FindManyAsync(keys, cancellationToken);
        var missingPrefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (name is { } n && !records.ContainsKey(n.Key))
            {
                missingPrefixes.Add(n.Prefix.Key);
            }
        }

        var served = missingPrefixes.Count == 0 ? [] : await prefixes.ServedAmongAsync(missingPrefixes, cancellationToken);
        for (var i = 0; i < texts.Count; i++)
        {
            if (names[i] is not { } n)
            {
                continue;
            }

            results[i] = records.TryGetValue(n.Key, out var record) ? Resolution.Found(record)
                : served.Contains(n.Prefix.Key) ? NotFound(texts[i])
                : NotServed(texts[i], n);
        }

        return results;
    }

    private static Resolution NotFound(string text) => Resolution.Failed(ResponseCode.HandleNotFound, text, "Handle Not Found");

    private static Resolution NotServed(string text, HandleName name) =>
        Resolution.Failed(ResponseCode.ServerNotResponsible, text, $"this node does not serve prefix {name.Prefix.Display}");
}

public static class ResolutionServiceCollectionExtensions
{
    public static IServiceCollection AddResolution(this IServiceCollection services)
    {
        services.AddScoped<HandleResolver>();
        return services;
    }
}

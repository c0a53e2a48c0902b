using System.Diagnostics;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Schemes;
using IdResolution.Registry;

namespace IdResolution.Server.Resolution;

/// <summary>
/// Resolves identifiers for every protocol: parses and normalises the names, answers from the cache
/// (L1, then L2, then the registry), and tells "not registered" (100) from "not served here" (301) and
/// "registry unavailable" (3).
/// </summary>
public sealed partial class HandleResolver(
    ResolutionCache cache, IServiceScopeFactory scopes, Statistics.PrefixCounters counters, Hierarchy.RemoteResolver remote, StandbyReads standby, ILogger<HandleResolver> logger)
{
    public const int MaxBatch = 1000;

    /// <summary>Resolves one identifier; <paramref name="authoritative"/> (auth=true) reads the registry, bypassing every cache.</summary>
    public ValueTask<Resolution> ResolveAsync(string text, bool authoritative, CancellationToken cancellationToken) =>
        ResolveAsync(text, authoritative, Hierarchy.Recursion.Default, cancellationToken);

    /// <summary>
    /// Resolves one identifier; one under a prefix served elsewhere is resolved through the top-level node and the site
    /// serving it, or referred there, as <paramref name="recursion"/> and the node's configuration say.
    /// </summary>
    public ValueTask<Resolution> ResolveAsync(string text, bool authoritative, Hierarchy.Recursion recursion, CancellationToken cancellationToken)
    {
        authoritative |= !cache.Enabled;
        if (!HandleName.TryParse(text, out var name, out var error))
        {
            return new(Resolution.Failed(ResponseCode.InvalidHandle, text, error));
        }

        // The hot path: a record in memory, answered without an async step.
        var hit = authoritative ? null : cache.TryGetFromMemory(name.Key);
        return hit is { AliasTarget: null } && (hit.Code != ResponseCode.ServerNotResponsible || !remote.Enabled)
            ? new(Answer(hit, text, name, CacheLayer.Memory))
            : ResolveFollowingAliasAsync(name, text, hit, authoritative, recursion, cancellationToken);
    }

    /// <summary>The rest of a resolve: <paramref name="hit"/> is what memory already gave (an alias), not looked up again.</summary>
    private async ValueTask<Resolution> ResolveFollowingAliasAsync(
        HandleName name, string text, CachedResolution? hit, bool authoritative, Hierarchy.Recursion recursion, CancellationToken cancellationToken)
    {
        var resolution = hit is null ? await ResolveNameAsync(name, text, authoritative, cancellationToken) : Answer(hit, text, name, CacheLayer.Memory);
        if (ServedElsewhere(resolution, name))
        {
            return await remote.ResolveAsync(name, text, recursion, authoritative, cancellationToken);
        }

        return resolution.Entry?.AliasTarget is { } target
            ? Aliased(resolution, await ResolveNameAsync(HandleName.Parse(target), target, authoritative, cancellationToken))
            : resolution;
    }

    /// <summary>
    /// What resolving an alias answers: the record it names (one hop; a target that is itself an alias, which only a
    /// race between two writes can make, is not followed further).
    /// </summary>
    private static Resolution Aliased(Resolution alias, Resolution target) =>
        target.Entry is { AliasTarget: null }
            ? target with { Layer = alias.Layer }
            : Resolution.Failed(
                target.Code == ResponseCode.ServerTooBusy ? target.Code : ResponseCode.HandleNotFound,
                alias.Handle,
                target.Entry is null ? $"{alias.Handle} is an alias of {target.Handle}: {target.Message}" : $"{alias.Handle} is an alias of {target.Handle}, itself an alias; aliases are one hop",
                alias.Layer);

    private async ValueTask<Resolution> ResolveNameAsync(HandleName name, string text, bool authoritative, CancellationToken cancellationToken)
    {
        if (!authoritative && cache.TryGetFromMemory(name.Key) is { } hit)
        {
            return Answer(hit, text, name, CacheLayer.Memory);
        }

        try
        {
            var (entry, layer) = authoritative
                ? (await LoadAsync(name, primary: true, cancellationToken), CacheLayer.Registry)
                : await cache.GetOrLoadAsync(name.Key, token => LoadAsync(name, primary: false, token), cancellationToken);
            return Answer(entry, text, name, layer);
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            return Unavailable(text);
        }
    }

    /// <summary>
    /// Resolves many identifiers: from memory first, then the rest from Redis all at once, then what is still
    /// missing with one registry query.
    /// </summary>
    public async Task<Resolution[]> ResolveManyAsync(IReadOnlyList<string> texts, bool authoritative, CancellationToken cancellationToken)
    {
        var results = await ResolveManyAsync(texts, authoritative, followAliases: true, cancellationToken);
        return remote.Enabled ? await ResolveElsewhereAsync(results, authoritative, cancellationToken) : results;
    }

    /// <summary>The batch's names served elsewhere, resolved through their sites together (the same name once).</summary>
    private async Task<Resolution[]> ResolveElsewhereAsync(Resolution[] results, bool authoritative, CancellationToken cancellationToken)
    {
        Dictionary<string, Task<Resolution>>? pending = null;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Code == ResponseCode.ServerNotResponsible && HandleName.TryParse(results[i].Handle, out var name, out _) && ServedElsewhere(results[i], name)
                && !(pending ??= new(StringComparer.Ordinal)).ContainsKey(results[i].Handle))
            {
                pending[results[i].Handle] = remote.ResolveAsync(name, results[i].Handle, Hierarchy.Recursion.Default, authoritative, cancellationToken).AsTask();
            }
        }

        for (var i = 0; pending is not null && i < results.Length; i++)
        {
            if (pending.TryGetValue(results[i].Handle, out var answer) && results[i].Code == ResponseCode.ServerNotResponsible)
            {
                results[i] = await answer;
            }
        }

        return results;
    }

    /// <summary>A handle (not an OID or GS1 key: those are not filed) under a prefix this node does not serve, on a node that looks further.</summary>
    private bool ServedElsewhere(Resolution resolution, HandleName name) =>
        resolution.Code == ResponseCode.ServerNotResponsible && remote.Enabled && name.Scheme == IdentifierScheme.Handle;

    private async Task<Resolution[]> ResolveManyAsync(IReadOnlyList<string> texts, bool authoritative, bool followAliases, CancellationToken cancellationToken)
    {
        authoritative |= !cache.Enabled;
        var results = new Resolution[texts.Count];
        var names = new HandleName?[texts.Count];
        Dictionary<string, HandleName>? misses = null;
        // Counted once per batch (per prefix run), not per name: a count per name cost as much as the lookup.
        var resolved = new Statistics.PrefixCounters.Run(counters);
        var memoryHits = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            if (!HandleName.TryParse(texts[i], out var name, out var error))
            {
                results[i] = Resolution.Failed(ResponseCode.InvalidHandle, texts[i], error);
            }
            else if (!authoritative && cache.TryGetFromMemory(name.Key, ref memoryHits) is { } hit)
            {
                results[i] = Outcome(hit, texts[i], name, CacheLayer.Memory);
                if (Counted(hit))
                {
                    resolved.Add(name.Key);
                }
            }
            else
            {
                names[i] = name;
                (misses ??= new(StringComparer.Ordinal)).TryAdd(name.Key, name);
            }
        }

        cache.AnsweredFromMemory(memoryHits);
        resolved.Flush();
        if (misses is null)
        {
            return followAliases ? await FollowAliasesAsync(results, authoritative, cancellationToken) : results;
        }

        var found = authoritative ? [] : await FromRedisAsync(misses, cancellationToken);
        if (found.Count < misses.Count)
        {
            var remaining = new Dictionary<string, HandleName>(StringComparer.Ordinal);
            foreach (var (key, name) in misses)
            {
                if (!found.ContainsKey(key))
                {
                    remaining[key] = name;
                }
            }

            foreach (var (key, entry) in await LoadManyOrStaleAsync(remaining, authoritative, cancellationToken))
            {
                found[key] = entry;
            }
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (names[i] is { } name)
            {
                results[i] = found.TryGetValue(name.Key, out var entry) ? Answer(entry, texts[i], name, null) : Unavailable(texts[i]);
            }
        }

        return followAliases ? await FollowAliasesAsync(results, authoritative, cancellationToken) : results;
    }

    /// <summary>Replaces the batch's alias answers with their targets', resolved together in one more batch.</summary>
    private async ValueTask<Resolution[]> FollowAliasesAsync(Resolution[] results, bool authoritative, CancellationToken cancellationToken)
    {
        List<string>? targets = null;
        foreach (var result in results)
        {
            if (result.Entry?.AliasTarget is { } target)
            {
                (targets ??= []).Add(target);
            }
        }

        if (targets is null)
        {
            return results;
        }

        // One hop: the targets' own aliases (only a race between two writes makes any) are not followed.
        var resolved = await ResolveManyAsync(targets, authoritative, followAliases: false, cancellationToken);
        var at = 0;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Entry?.AliasTarget is not null)
            {
                results[i] = Aliased(results[i], resolved[at++]);
            }
        }

        return results;
    }

    /// <summary>L2 lookups for all the keys at once (StackExchange.Redis pipelines them on one connection).</summary>
    private async Task<Dictionary<string, CachedResolution>> FromRedisAsync(Dictionary<string, HandleName> keys, CancellationToken cancellationToken)
    {
        var lookups = new List<(string Key, ValueTask<CachedResolution?> Lookup)>(keys.Count);
        foreach (var key in keys.Keys)
        {
            lookups.Add((key, cache.TryGetAsync(key, allowStale: false, cancellationToken)));
        }

        var found = new Dictionary<string, CachedResolution>(keys.Count, StringComparer.Ordinal);
        foreach (var (key, lookup) in lookups)
        {
            if (await lookup is { } entry)
            {
                found[key] = entry;
            }
        }

        return found;
    }

    private async Task<Dictionary<string, CachedResolution>> LoadManyOrStaleAsync(Dictionary<string, HandleName> misses, bool authoritative, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var loaded = await LoadManyAsync(misses, authoritative, cancellationToken);
            if (!authoritative)
            {
                var stores = new List<Task>(loaded.Count);
                foreach (var (key, entry) in loaded)
                {
                    stores.Add(cache.StoreAsync(key, entry, started, cancellationToken).AsTask());
                }

                await Task.WhenAll(stores);
            }

            return loaded;
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            LogBatchReadFailed(logger, misses.Count, e);
            return authoritative ? [] : await StaleAsync(misses.Keys, cancellationToken);
        }
    }

    /// <summary>The cached answers for <paramref name="keys"/>, expired ones included (for registry outages).</summary>
    private async Task<Dictionary<string, CachedResolution>> StaleAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var stale = new Dictionary<string, CachedResolution>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (await cache.TryGetAsync(key, allowStale: true, cancellationToken) is { } entry)
            {
                stale[key] = entry;
            }
        }

        return stale;
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Reading {Count} names of a batch from the registry failed: each is answered from a stale cache entry where one exists and auth=true was not asked, else as unavailable")]
    private static partial void LogBatchReadFailed(ILogger logger, int count, Exception exception);

    /// <summary>
    /// One name from the registry: the standby's copy, unless the name was just written or <paramref name="primary"/>
    /// (auth=true); a "not found" from the standby just after a bulk write is asked again of the primary.
    /// </summary>
    private async Task<CachedResolution> LoadAsync(HandleName name, bool primary, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await standby.ReadAsync(
            scope.ServiceProvider, primary ? null : [name.Key], (handles, prefixes) => LoadAsync(name, handles, prefixes, cancellationToken), entry => !entry.Found, cancellationToken);
    }

    private static async Task<CachedResolution> LoadAsync(HandleName name, HandleRegistry handles, PrefixRegistry prefixes, CancellationToken cancellationToken)
    {
        var record = await handles.FindAsync(name, cancellationToken);
        if (record is not null)
        {
            return CachedResolution.FromRegistry(record, name.Key);
        }

        var served = await prefixes.FindHomeAsync(name, cancellationToken) is not null;
        return CachedResolution.Negative(served ? ResponseCode.HandleNotFound : ResponseCode.ServerNotResponsible, name.Display);
    }

    private async Task<Dictionary<string, CachedResolution>> LoadManyAsync(Dictionary<string, HandleName> names, bool primary, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await standby.ReadAsync(
            scope.ServiceProvider, primary ? null : names.Keys, (handles, prefixes) => LoadManyAsync(names, handles, prefixes, cancellationToken), AnyNegative, cancellationToken);
    }

    private static bool AnyNegative(Dictionary<string, CachedResolution> entries)
    {
        foreach (var entry in entries.Values)
        {
            if (!entry.Found)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<Dictionary<string, CachedResolution>> LoadManyAsync(Dictionary<string, HandleName> names, HandleRegistry handles, PrefixRegistry prefixes, CancellationToken cancellationToken)
    {
        var records = await handles.FindManyAsync(names.Keys, cancellationToken);
        var entries = new Dictionary<string, CachedResolution>(names.Count, StringComparer.Ordinal);
        var missing = new List<(string Key, HandleName Name, List<PrefixName> Homes)>();
        var missingPrefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, name) in names)
        {
            if (records.TryGetValue(key, out var record))
            {
                entries[key] = CachedResolution.FromRegistry(record, key);
                continue;
            }

            var homes = SchemeNames.HomeCandidates(name);
            missing.Add((key, name, homes));
            foreach (var home in homes)
            {
                missingPrefixes.Add(home.Key);
            }
        }

        if (missing.Count > 0)
        {
            var served = await prefixes.ServedAmongAsync(missingPrefixes, cancellationToken);
            foreach (var (key, name, homes) in missing)
            {
                var code = homes.Exists(p => served.Contains(p.Key)) ? ResponseCode.HandleNotFound : ResponseCode.ServerNotResponsible;
                entries[key] = CachedResolution.Negative(code, name.Display);
            }
        }

        return entries;
    }

    /// <summary>The answer for a name whose entry was found; resolutions under served prefixes are counted.</summary>
    private Resolution Answer(CachedResolution entry, string text, HandleName name, CacheLayer? layer)
    {
        if (Counted(entry))
        {
            counters.Resolved(name.Key);
        }

        return Outcome(entry, text, name, layer);
    }

    /// <summary>Resolves of names under prefixes served elsewhere are not this node's to count.</summary>
    private static bool Counted(CachedResolution entry) => entry.Code != ResponseCode.ServerNotResponsible;

    private static Resolution Outcome(CachedResolution entry, string text, HandleName name, CacheLayer? layer) => entry.Code switch
    {
        ResponseCode.Success => Resolution.Found(entry, layer),
        ResponseCode.HandleNotFound => Resolution.Failed(ResponseCode.HandleNotFound, text, "Handle Not Found", layer),
        _ => Resolution.Failed(entry.Code, text, PrefixRegistry.NotServedMessage(name), layer),
    };

    private static Resolution Unavailable(string text) =>
        Resolution.Failed(ResponseCode.ServerTooBusy, text, "the registry is unavailable and the identifier is not cached; retry later", CacheLayer.Registry);
}

using System.Net;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Native;
using IdResolution.Core.Values;
using IdResolution.Registry;
using IdResolution.Server.Native;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// Resolution of identifiers under prefixes this node does not serve: asks the top-level node which site serves the
/// prefix (its record <c>0.NA/&lt;prefix&gt;</c>, or a filed ancestor's), then asks that site; both answers are cached for
/// their TTLs and never served past them. With recursion off, or not asked for, the caller gets a referral (302).
/// </summary>
public sealed partial class RemoteResolver(
    NativeClient client, ResolutionCache cache, IServiceScopeFactory scopes, IOptions<HierarchyOptions> options, IOptions<NativeOptions> native, TimeProvider clock,
    ILogger<RemoteResolver> logger)
{
    /// <summary>How far up the prefix tree a site is looked for: the prefix and this many ancestors, one top-level query each.</summary>
    private const int MaxAncestors = 3;

    private static readonly string[] SiteTypes = ["HS_SITE"];

    private readonly HierarchyOptions _options = options.Value;
    private readonly IPEndPoint _self = new(native.Value.AdvertisedIp, native.Value.Port);

    /// <summary>The top-level node's native endpoint (a host name is resolved on each connection: DNS may change).</summary>
    private readonly Lazy<EndPoint> _topLevel = new(() => HierarchyOptions.NativeEndpoint(options.Value));

    /// <summary>
    /// Whether this node looks beyond itself for names it does not serve: a secondary node with a top-level node resolves
    /// them there; a top-level node refers callers to the site its own <c>0.NA</c> records name.
    /// </summary>
    public bool Enabled => _options.Role == NodeRole.TopLevel || (_options.Role == NodeRole.Secondary && _options.TopLevelUrl is not null);

    private bool IsTopLevel => _options.Role == NodeRole.TopLevel;

    /// <summary>The answer for a handle under a prefix not served here (the caller already knows that).</summary>
    public async ValueTask<Resolution.Resolution> ResolveAsync(HandleName name, string text, Recursion recursion, bool authoritative, CancellationToken cancellationToken)
    {
        if (recursion.Hops >= _options.RecursionLimit)
        {
            return Failed(ResponseCode.RecursionCountTooHigh, text, $"the request has passed through {recursion.Hops} nodes; the limit is {_options.RecursionLimit}, so this looks like a loop");
        }

        try
        {
            return await ResolveElsewhereAsync(name, text, recursion, authoritative, cancellationToken);
        }
        catch (RemoteFailure e)
        {
            LogFailed(logger, name.Display, e.Detail);
            return Failed(ResponseCode.ServerTooBusy, text, $"{name.Prefix.Display} is not served here, and {e.Message}; retry later");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever another node sent, it must not turn into a 500 here.
            LogUnexpected(logger, name.Display, e);
            return Failed(ResponseCode.ServerTooBusy, text, "resolving it elsewhere failed; retry later");
        }
    }

    private async Task<Resolution.Resolution> ResolveElsewhereAsync(HandleName name, string text, Recursion recursion, bool authoritative, CancellationToken cancellationToken)
    {
        if (name.IsPrefixRecord(out _))
        {
            // Prefix records of prefixes served elsewhere are the top-level node's own.
            return Answer(await LoadAsync(RemoteKey(name), token => AskTopLevelAsync(name.Display, [], recursion.Hops, token), authoritative, cancellationToken), text);
        }

        if (await FindSiteAsync(name.Prefix, recursion.Hops, cancellationToken) is not { } site)
        {
            return Failed(ResponseCode.HandleNotFound, text, $"no node serves prefix {name.Prefix.Display}: the top-level node holds no record of it");
        }

        // A top-level node never resolves on a caller's behalf: it says where to ask.
        if (!recursion.Allowed || !_options.Recursion || IsTopLevel)
        {
            return Failed(ResponseCode.ServiceReferral, text, $"prefix {site.Prefix.Display} is served by another site; ask it (see {site.Record.Handle})") with { Referral = site.Record };
        }

        if (site.Endpoint.Equals(_self))
        {
            return Failed(ResponseCode.ServerNotResponsible, text, $"the top-level node names this node as the site of prefix {site.Prefix.Display}, which it does not serve");
        }

        return Answer(await LoadAsync(RemoteKey(name), token => AskSiteAsync(site, name, recursion.Hops, token), authoritative, cancellationToken), text);
    }

    /// <summary>An answer from the cache (or loaded into it); authoritative (auth=true) requests ask the other node every time.</summary>
    private async ValueTask<(CachedResolution Entry, CacheLayer Layer)> LoadAsync(
        string key, Func<CancellationToken, Task<CachedResolution>> load, bool authoritative, CancellationToken cancellationToken) =>
        authoritative ? (await load(cancellationToken), CacheLayer.Remote) : await cache.GetOrLoadRemoteAsync(key, load, _options.RemoteNegativeTtl, cancellationToken);

    private static Resolution.Resolution Answer((CachedResolution Entry, CacheLayer Layer) loaded, string text) =>
        loaded.Entry.Found
            ? Resolution.Resolution.Found(loaded.Entry, loaded.Layer)
            : Resolution.Resolution.Failed(loaded.Entry.Code, text, ResponseCodeText.Describe(loaded.Entry.Code), loaded.Layer);

    private static Resolution.Resolution Failed(ResponseCode code, string text, string message) => Resolution.Resolution.Failed(code, text, message, CacheLayer.Remote);

    /// <summary>The site's answer; anything but the record, "not found" or "no value" means the filing is stale or the site unwell.</summary>
    private Task<CachedResolution> AskSiteAsync(Site site, HandleName name, byte hops, CancellationToken cancellationToken) =>
        AskAsync(site.Endpoint, name.Display, [], (byte)(hops + 1), "the site filed for it answered with neither the record nor \"not found\"", cancellationToken);

    private Task<CachedResolution> AskTopLevelAsync(string handle, string[] types, byte hops, CancellationToken cancellationToken) =>
        AskAsync(_topLevel.Value, handle, types, hops, "the top-level node could not say which site serves it", cancellationToken);

    /// <summary>Another node's answer to a resolution, cacheable (found, not found, no value) or a <see cref="RemoteFailure"/> saying <paramref name="failure"/>.</summary>
    private async Task<CachedResolution> AskAsync(EndPoint node, string handle, string[] types, byte hops, string failure, CancellationToken cancellationToken)
    {
        var answer = await client.ResolveAsync(node, handle, types, hops, cancellationToken);
        return answer.Code is ResponseCode.Success or ResponseCode.HandleNotFound or ResponseCode.ValuesNotFound
            ? CachedResolution.FromRemote(answer.Code, handle, Expiring(answer.Values))
            : throw new RemoteFailure(failure, $"{node} answered {(int)answer.Code} {answer.Message} for {handle}");
    }

    /// <summary>On a top-level node: its own record of a prefix, as resolving it would read it (and cache it, under its own key).</summary>
    private async Task<CachedResolution> OwnRecordAsync(HandleName record, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HandleRegistry>().FindAsync(record, cancellationToken) is { } found
            ? CachedResolution.FromRegistry(found, record.Key)
            : CachedResolution.Negative(ResponseCode.HandleNotFound, record.Display);
    }

    /// <summary>
    /// Values with their relative TTLs made absolute as of now: whoever gets them from this node's cache, later, must not
    /// keep them longer than the site that gave them allows.
    /// </summary>
    private HandleValue[] Expiring(HandleValue[] values)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].TtlType == TtlType.Relative)
            {
                values[i] = values[i] with { TtlType = TtlType.Absolute, Ttl = (int)Math.Min(int.MaxValue, now + Math.Max(0, values[i].Ttl)) };
            }
        }

        return values;
    }

    /// <summary>
    /// The site serving a prefix: the top-level node's record of it or of a filed ancestor (a prefix derived from a filed
    /// one lives where its parent does), at most <see cref="MaxAncestors"/> levels up. Each record, and each "no record",
    /// is cached for its TTL.
    /// </summary>
    private async Task<Site?> FindSiteAsync(PrefixName prefix, byte hops, CancellationToken cancellationToken)
    {
        var candidate = prefix;
        for (var level = 0; level <= MaxAncestors; level++)
        {
            var record = candidate.RecordName;
            var (entry, _) = IsTopLevel
                ? await cache.GetOrLoadAsync(record.Key, token => OwnRecordAsync(record, token), cancellationToken)
                : await cache.GetOrLoadRemoteAsync(SiteKey(record), token => AskTopLevelAsync(record.Display, SiteTypes, hops, token), _options.RemoteNegativeTtl, cancellationToken);
            if (entry.Found)
            {
                return SiteIn(candidate, entry)
                    ?? throw new RemoteFailure("the top-level node's record of it names no site answering queries over TCP", $"{record.Display} holds no usable HS_SITE value");
            }

            if (!candidate.TryGetParent(out candidate))
            {
                break;
            }
        }

        return null;
    }

    private static Site? SiteIn(PrefixName prefix, CachedResolution record)
    {
        foreach (var value in record.Record!.Values)
        {
            if (value.Type == "HS_SITE" && SiteInfoRecord.TryDecode(value.Data, out var info) && info.TcpQueryEndpoint() is { } endpoint)
            {
                return new Site(prefix, endpoint, record);
            }
        }

        return null;
    }

    private static string RemoteKey(HandleName name) => "remote:" + name.Key;

    private static string SiteKey(HandleName record) => "site:" + record.Key;

    /// <summary>Where a prefix is served: the filed prefix, the site's TCP query endpoint, and the record that says so.</summary>
    private sealed record Site(PrefixName Prefix, IPEndPoint Endpoint, CachedResolution Record);

    [LoggerMessage(EventId = 801, Level = LogLevel.Error, Message = "Resolving {Handle} elsewhere failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string handle, Exception exception);

    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Resolving {Handle} elsewhere failed: {Detail}")]
    private static partial void LogFailed(ILogger logger, string handle, string detail);
}

/// <summary>
/// Another node could not give a usable answer. <see cref="Exception.Message"/> is what callers are told; <see cref="Detail"/>
/// (addresses, the other side's words) goes to the log only.
/// </summary>
public sealed class RemoteFailure(string message, string detail) : Exception(message)
{
    public string Detail { get; } = detail;
}

using System.Net;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Native;
using IdResolution.Registry;
using IdResolution.Server.Native;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// Resolution of identifiers under prefixes this node does not serve: asks the top-level node which site serves the
/// prefix (its record <c>0.NA/&lt;prefix&gt;</c>, or the nearest filed ancestor's), then asks that site; both answers are
/// cached for their TTLs. With recursion off, or not asked for, the caller gets a referral (302) to the site instead.
/// </summary>
public sealed partial class RemoteResolver
{
    private static readonly string[] SiteTypes = ["HS_SITE"];

    private readonly NativeClient _client;
    private readonly ResolutionCache _cache;
    private readonly HierarchyOptions _options;
    private readonly IPEndPoint? _topLevel;
    private readonly IPEndPoint _self;
    private readonly ILogger<RemoteResolver> _logger;

    public RemoteResolver(NativeClient client, ResolutionCache cache, IOptions<HierarchyOptions> options, IOptions<NativeOptions> native, ILogger<RemoteResolver> logger)
    {
        _client = client;
        _logger = logger;
        _cache = cache;
        _options = options.Value;
        _topLevel = _options.Role == NodeRole.Secondary ? TopLevelEndpoint(_options) : null;
        var settings = native.Value;
        _self = new IPEndPoint(IPAddress.Parse(settings.AdvertisedAddress ?? settings.Address), settings.Port);
    }

    /// <summary>Whether this node looks beyond itself for names it does not serve: a secondary node with a top-level node.</summary>
    public bool Enabled => _topLevel is not null;

    /// <summary>The answer for a handle under a prefix not served here (the caller already knows that).</summary>
    public async ValueTask<Resolution.Resolution> ResolveAsync(HandleName name, string text, Recursion recursion, CancellationToken cancellationToken)
    {
        if (recursion.Hops >= _options.RecursionLimit)
        {
            return Resolution.Resolution.Failed(ResponseCode.RecursionCountTooHigh, text,
                $"the request has passed through {recursion.Hops} nodes; the limit is {_options.RecursionLimit}, so this looks like a loop", CacheLayer.Remote);
        }

        try
        {
            if (await FindSiteAsync(name.Prefix, recursion.Hops, cancellationToken) is not { } site)
            {
                return Resolution.Resolution.Failed(ResponseCode.HandleNotFound, text,
                    $"no node serves prefix {name.Prefix.Display}: the top-level node holds no record of it", CacheLayer.Remote);
            }

            if (!recursion.Allowed || !_options.Recursion)
            {
                return Resolution.Resolution.Failed(ResponseCode.ServiceReferral, text,
                    $"prefix {site.Prefix.Display} is served by the site at {site.Endpoint}; ask it (see {site.Record.Handle})", CacheLayer.Remote) with
                { Referral = site.Record };
            }

            if (site.Endpoint.Equals(_self))
            {
                return Resolution.Resolution.Failed(ResponseCode.ServerNotResponsible, text,
                    $"the top-level node names this node as the site of prefix {site.Prefix.Display}, which it does not serve", CacheLayer.Remote);
            }

            var (entry, layer) = await _cache.GetOrLoadRemoteAsync(RemoteKey(name), token => AskAsync(site.Endpoint, name, recursion.Hops, token), _options.RemoteNegativeTtl, cancellationToken);
            return entry.Found ? Resolution.Resolution.Found(entry, layer) : Resolution.Resolution.Failed(entry.Code, text, "Handle Not Found", layer);
        }
        catch (RemoteRefusalException e)
        {
            return Resolution.Resolution.Failed(e.Code, text, e.Message, CacheLayer.Remote);
        }
        catch (SiteUnreachableException e)
        {
            LogUnreachable(_logger, e.Site, name.Display, e.Message);
            return Resolution.Resolution.Failed(ResponseCode.ServerTooBusy, text, $"{name.Prefix.Display} is served elsewhere, and {e.Message}; retry later", CacheLayer.Remote);
        }
    }

    /// <summary>Another site's answer: found or not found (cached), anything else passed on (not cached).</summary>
    private async Task<CachedResolution> AskAsync(IPEndPoint site, HandleName name, byte hops, CancellationToken cancellationToken)
    {
        var answer = await _client.ResolveAsync(site, name.Display, [], (byte)(hops + 1), cancellationToken);
        return answer.Code is ResponseCode.Success or ResponseCode.HandleNotFound
            ? CachedResolution.FromRemote(answer.Code, name.Display, answer.Values)
            : throw new RemoteRefusalException(answer.Code, $"the site at {site} serving {name.Prefix.Display} answered {(int)answer.Code}: {answer.Message}");
    }

    /// <summary>
    /// The site serving a prefix: the top-level node's record of it or of its nearest filed ancestor (a prefix derived from
    /// a filed one lives where its parent does). Each record, and each "no record", is cached for its TTL.
    /// </summary>
    private async Task<Site?> FindSiteAsync(PrefixName prefix, byte hops, CancellationToken cancellationToken)
    {
        for (var candidate = prefix; ;)
        {
            var (record, _) = await _cache.GetOrLoadRemoteAsync(
                SiteKey(candidate), token => AskTopLevelAsync(candidate.RecordName.Display, SiteTypes, hops, token), _options.RemoteNegativeTtl, cancellationToken);
            if (record.Found)
            {
                return SiteIn(candidate, record);
            }

            if (record.Code is not (ResponseCode.HandleNotFound or ResponseCode.ValuesNotFound))
            {
                throw new SiteUnreachableException(_topLevel!, $"the top-level node answered {(int)record.Code} for {candidate.RecordName.Display}");
            }

            if (!candidate.TryGetParent(out candidate))
            {
                return null;
            }
        }
    }

    /// <summary>The site the record's first usable HS_SITE value names (HS_SERV service handles are not followed).</summary>
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

    private async Task<CachedResolution> AskTopLevelAsync(string handle, string[] types, byte hops, CancellationToken cancellationToken)
    {
        var answer = await _client.ResolveAsync(_topLevel!, handle, types, hops, cancellationToken);
        return CachedResolution.FromRemote(answer.Code, handle, answer.Values);
    }

    private static string RemoteKey(HandleName name) => "remote:" + name.Key;

    private static string SiteKey(PrefixName prefix) => "site:" + prefix.RecordName.Key;

    private static IPEndPoint? TopLevelEndpoint(HierarchyOptions options)
    {
        if (options.TopLevelNative is { } native)
        {
            return IPEndPoint.Parse(native);
        }

        return options.TopLevelUrl is { } url ? new IPEndPoint(Dns.GetHostAddresses(url.Host)[0], NativeOptions.DefaultPort) : null;
    }

    /// <summary>Another site's answer that is neither found nor not found (a loop, a refusal, its own outage).</summary>
    private sealed class RemoteRefusalException(ResponseCode code, string message) : Exception(message)
    {
        public ResponseCode Code { get; } = code;
    }

    /// <summary>Where a prefix is served: the filed prefix, the site's TCP query endpoint, and the record that says so.</summary>
    private sealed record Site(PrefixName Prefix, IPEndPoint Endpoint, CachedResolution Record);

    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Resolving {Handle} through the site at {Site} failed: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, IPEndPoint site, string handle, string reason);
}

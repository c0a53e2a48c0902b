namespace IdResolution.Registry;

/// <summary>What a node is in the Handle hierarchy.</summary>
public enum NodeRole
{
    /// <summary>Serves identifiers under its prefixes, files them with its top-level node and resolves the rest through it.</summary>
    Secondary,

    /// <summary>Holds the prefix records <c>0.NA/&lt;prefix&gt;</c> whose HS_SITE values say which secondary node serves each prefix.</summary>
    TopLevel,
}

/// <summary>Configuration section "Hierarchy": the node's place among other nodes. See README, "Hierarchy".</summary>
public sealed class HierarchyOptions
{
    public const string Section = "Hierarchy";

    public NodeRole Role { get; set; } = NodeRole.Secondary;

    /// <summary>The top-level node's HTTP API, where prefixes are filed and statistics reported; unset: a standalone node.</summary>
    public Uri? TopLevelUrl { get; set; }

    /// <summary>The top-level node's native protocol endpoint (<c>host:port</c>) asked which site serves a prefix; unset: TopLevelUrl's host on 2641.</summary>
    public string? TopLevelNative { get; set; }

    /// <summary>The key this node presents to the top-level node (a "site" key issued there).</summary>
    public string? TopLevelKey { get; set; }

    /// <summary>Whether identifiers under prefixes served elsewhere are resolved on the caller's behalf (else: a referral).</summary>
    public bool Recursion { get; set; } = true;

    /// <summary>Hops a request may have made between nodes before it is refused (code 6): ends loops and long chains.</summary>
    public int RecursionLimit { get; set; } = 4;

    /// <summary>Most requests to other nodes in flight at once (recursive resolution); more wait up to <see cref="Timeout"/>, then fail.</summary>
    public int MaxOutbound { get; set; } = 64;

    /// <summary>On a top-level node: accept filings naming loopback addresses (single-machine test topologies only).</summary>
    public bool AllowLoopbackSites { get; set; }

    /// <summary>How long this node waits for another node's answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a "not found" from another site is kept (found answers are kept for their values' TTL).</summary>
    public TimeSpan RemoteNegativeTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between two attempts to deliver a filing; attempts back off from one second up to this.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often undelivered filings are looked for (new ones are sent at once).</summary>
    public TimeSpan FilingPoll { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often statistics are reported to the top-level node.</summary>
    public TimeSpan ReportEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>On a top-level node: the TTL of the HS_SITE values it holds, i.e. how long other nodes may keep a site's address.</summary>
    public int SiteTtlSeconds { get; set; } = 3600;

    /// <summary>Prefixes created here are filed with a top-level node.</summary>
    public bool Files => Role == NodeRole.Secondary && TopLevelUrl is not null;

    /// <summary>The top-level node's native endpoint: <see cref="TopLevelNative"/> (<c>host:port</c>), else TopLevelUrl's host on 2641.</summary>
    public static System.Net.EndPoint NativeEndpoint(HierarchyOptions options)
    {
        if (options.TopLevelNative is { } native)
        {
            var colon = native.LastIndexOf(':');
            return System.Net.IPEndPoint.TryParse(native, out var ip) ? ip
                : colon > 0 && int.TryParse(native.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535 ? new System.Net.DnsEndPoint(native[..colon], port)
                : throw new InvalidOperationException($"Hierarchy:TopLevelNative '{native}' is not host:port");
        }

        var url = options.TopLevelUrl ?? throw new InvalidOperationException("Hierarchy:TopLevelUrl is not set");
        return System.Net.IPAddress.TryParse(url.IdnHost, out var address) ? new System.Net.IPEndPoint(address, DefaultNativePort) : new System.Net.DnsEndPoint(url.IdnHost, DefaultNativePort);
    }

    private const int DefaultNativePort = 2641;
}

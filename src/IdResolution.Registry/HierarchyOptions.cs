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
}

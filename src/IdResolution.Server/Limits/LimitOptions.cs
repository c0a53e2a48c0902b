namespace IdResolution.Server.Limits;

/// <summary>
/// Request rates, bound to <c>Limits:*</c>. Each caller gets a token bucket: a key (whatever address it comes from)
/// or, for requests without a valid key, the client address. 0 turns a limit off.
/// </summary>
public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>Sustained requests per second per key.</summary>
    public int PerKeyPerSecond { get; set; } = 5000;

    /// <summary>Sustained requests per second per client address (anonymous callers and bad keys).</summary>
    public int PerAddressPerSecond { get; set; } = 2000;

    /// <summary>How many seconds of the sustained rate a caller may spend at once.</summary>
    public int BurstSeconds { get; set; } = 2;

    /// <summary>Longest time a write or admin request may take before it is answered 504.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

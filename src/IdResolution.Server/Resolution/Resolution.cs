using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Values;

namespace IdResolution.Server.Resolution;

/// <summary>
/// The answer to one resolve: a found entry, or the Handle response code that explains its absence, and the
/// cache layer that answered (null when nothing was looked up, as for an invalid name).
/// </summary>
public readonly record struct Resolution(ResponseCode Code, string Handle, CachedResolution? Entry, string? Message, CacheLayer? Layer)
{
    public HandleRecord? Record => Entry?.Record;

    /// <summary>For a referral (302): the top-level node's record of the prefix, whose HS_SITE values name the site to ask.</summary>
    public CachedResolution? Referral { get; init; }

    public static Resolution Found(CachedResolution entry, CacheLayer? layer) => new(ResponseCode.Success, entry.Handle, entry, null, layer);

    public static Resolution Failed(ResponseCode code, string handle, string message, CacheLayer? layer = null) => new(code, handle, null, message, layer);
}

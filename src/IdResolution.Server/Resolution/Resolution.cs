using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Values;

namespace IdResolution.Server.Resolution;

/// <summary>The answer to one resolve: a found entry, or the Handle response code that explains its absence.</summary>
public readonly record struct Resolution(ResponseCode Code, string Handle, CachedResolution? Entry, string? Message)
{
    public HandleRecord? Record => Entry?.Record;

    public static Resolution Found(CachedResolution entry) => new(ResponseCode.Success, entry.Handle, entry, null);

    public static Resolution Failed(ResponseCode code, string handle, string message) => new(code, handle, null, message);
}

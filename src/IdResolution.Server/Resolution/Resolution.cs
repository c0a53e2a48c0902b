using IdResolution.Core;
using IdResolution.Core.Values;

namespace IdResolution.Server.Resolution;

/// <summary>The answer to one resolve: a record, or the Handle response code that explains its absence.</summary>
public readonly record struct Resolution(ResponseCode Code, string Handle, HandleRecord? Record, string? Message)
{
    public static Resolution Found(HandleRecord record) => new(ResponseCode.Success, record.Handle, record, null);

    public static Resolution Failed(ResponseCode code, string handle, string message) => new(code, handle, null, message);
}

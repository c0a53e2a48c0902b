using IdResolution.Core;

namespace IdResolution.Server.Http;

/// <summary>HTTP status for a Handle response code, as the reference REST API maps them.</summary>
public static class HandleHttpStatus
{
    public static int For(ResponseCode code, bool resolving = false) => code switch
    {
        ResponseCode.Success => StatusCodes.Status200OK,
        ResponseCode.ValuesNotFound => resolving ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
        ResponseCode.ServerTooBusy => StatusCodes.Status503ServiceUnavailable,
        ResponseCode.ProtocolError or ResponseCode.InvalidHandle or ResponseCode.InvalidValue or ResponseCode.ServerNotResponsible => StatusCodes.Status400BadRequest,
        ResponseCode.OperationNotSupported => StatusCodes.Status501NotImplemented,
        ResponseCode.RecursionCountTooHigh => StatusCodes.Status508LoopDetected,
        ResponseCode.ServiceReferral or ResponseCode.PrefixReferral => StatusCodes.Status300MultipleChoices,
        ResponseCode.HandleNotFound => StatusCodes.Status404NotFound,
        ResponseCode.HandleAlreadyExists or ResponseCode.ValueAlreadyExists => StatusCodes.Status409Conflict,
        ResponseCode.AuthenticationNeeded => StatusCodes.Status401Unauthorized,
        ResponseCode.InvalidAdmin or ResponseCode.InsufficientPermissions or ResponseCode.AuthenticationFailed or ResponseCode.InvalidCredential => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };
}

namespace IdResolution.Core;

/// <summary>Handle System response codes (RFC 3652 section 2.2.2.2), shared by every protocol the node speaks.</summary>
public enum ResponseCode
{
    Success = 1,
    Error = 2,
    ServerTooBusy = 3,
    ProtocolError = 4,
    OperationNotSupported = 5,

    /// <summary>A request passed between nodes more times than the recursion limit allows (a loop or a long chain).</summary>
    RecursionCountTooHigh = 6,
    HandleNotFound = 100,
    HandleAlreadyExists = 101,
    InvalidHandle = 102,
    ValuesNotFound = 200,
    ValueAlreadyExists = 201,
    InvalidValue = 202,
    ServerNotResponsible = 301,
    ServiceReferral = 302,
    PrefixReferral = 303,
    InvalidAdmin = 400,
    InsufficientPermissions = 401,
    AuthenticationNeeded = 402,
    AuthenticationFailed = 403,
    InvalidCredential = 404,
}

public static class ResponseCodeText
{
    /// <summary>The reference server's short message for a code, used when no detail is more useful.</summary>
    public static string Describe(ResponseCode code) => code switch
    {
        ResponseCode.Success => "Success",
        ResponseCode.ServerTooBusy => "Server Too Busy",
        ResponseCode.ProtocolError => "Protocol Error",
        ResponseCode.OperationNotSupported => "Operation Not Supported",
        ResponseCode.RecursionCountTooHigh => "Recursion Count Too High",
        ResponseCode.HandleNotFound => "Handle Not Found",
        ResponseCode.HandleAlreadyExists => "Handle Already Exists",
        ResponseCode.InvalidHandle => "Invalid Handle",
        ResponseCode.ValuesNotFound => "Values Not Found",
        ResponseCode.ValueAlreadyExists => "Value Already Exists",
        ResponseCode.InvalidValue => "Invalid Value",
        ResponseCode.ServerNotResponsible => "Server Not Responsible For Handle",
        ResponseCode.ServiceReferral => "Service Referral",
        ResponseCode.InvalidAdmin => "Invalid Admin",
        ResponseCode.InsufficientPermissions => "Insufficient Permissions",
        ResponseCode.AuthenticationNeeded => "Authentication Needed",
        ResponseCode.AuthenticationFailed => "Authentication Failed",
        ResponseCode.InvalidCredential => "Invalid Credential",
        _ => "Error",
    };
}

using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using IdResolution.Core;

namespace IdResolution.Server.Grpc;

/// <summary>
/// Handle response codes as gRPC statuses. The status carries rich details (google.rpc.Status with an
/// ErrorInfo in domain "idresolution" whose metadata "responseCode" is the Handle code).
/// </summary>
public static class GrpcErrors
{
    public const string Domain = "idresolution";

    public static StatusCode StatusFor(ResponseCode code) => code switch
    {
        ResponseCode.Success => StatusCode.OK,
        ResponseCode.ServerTooBusy => StatusCode.Unavailable,
        ResponseCode.ProtocolError or ResponseCode.InvalidHandle or ResponseCode.InvalidValue => StatusCode.InvalidArgument,
        ResponseCode.OperationNotSupported => StatusCode.Unimplemented,
        ResponseCode.HandleNotFound or ResponseCode.ValuesNotFound => StatusCode.NotFound,
        ResponseCode.HandleAlreadyExists or ResponseCode.ValueAlreadyExists => StatusCode.AlreadyExists,
        ResponseCode.ServerNotResponsible or ResponseCode.ServiceReferral or ResponseCode.PrefixReferral => StatusCode.FailedPrecondition,
        ResponseCode.RecursionCountTooHigh => StatusCode.Aborted,
        ResponseCode.AuthenticationNeeded or ResponseCode.AuthenticationFailed => StatusCode.Unauthenticated,
        ResponseCode.InvalidAdmin or ResponseCode.InsufficientPermissions or ResponseCode.InvalidCredential => StatusCode.PermissionDenied,
        _ => StatusCode.Internal,
    };

    public static RpcException Exception(ResponseCode code, string message) => RichStatus(code, message).ToRpcException();

    /// <summary>A refused write; template violations travel as a google.rpc.BadRequest, one field violation each.</summary>
    public static RpcException Exception(HandleException refusal)
    {
        var status = RichStatus(refusal.Code, refusal.Message);
        if (refusal.Violations.Count > 0)
        {
            var badRequest = new BadRequest();
            foreach (var violation in refusal.Violations)
            {
                badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = violation.Field, Description = violation.Message, Reason = violation.Rule });
            }

            status.Details.Add(Any.Pack(badRequest));
        }

        return status.ToRpcException();
    }

    /// <summary>A trailers-only gRPC answer, for refusals made before the call reaches a service (authorization).</summary>
    public static void WriteTrailersOnly(HttpContext context, ResponseCode code, string message) =>
        WriteTrailersOnly(context, RichStatus(code, message), message);

    /// <summary>A refusal for going too fast: RESOURCE_EXHAUSTED, with a google.rpc.RetryInfo saying when to come back.</summary>
    public static void WriteRateLimited(HttpContext context, string message, TimeSpan retryAfter)
    {
        var status = RichStatus(ResponseCode.ServerTooBusy, message);
        status.Code = (int)StatusCode.ResourceExhausted;
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        WriteTrailersOnly(context, status, message);
    }

    private static void WriteTrailersOnly(HttpContext context, Google.Rpc.Status status, string message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = status.Code.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        context.Response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
    }

    private static Google.Rpc.Status RichStatus(ResponseCode code, string message) => new()
    {
        Code = (int)StatusFor(code),
        Message = message,
        Details =
        {
            Any.Pack(new ErrorInfo
            {
                Domain = Domain,
                Reason = code.ToString(),
                Metadata = { ["responseCode"] = ((int)code).ToString(CultureInfo.InvariantCulture) },
            }),
        },
    };
}

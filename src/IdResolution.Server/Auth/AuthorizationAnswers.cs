using IdResolution.Core;
using IdResolution.Server.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace IdResolution.Server.Auth;

/// <summary>
/// Answers a refused request in its protocol: gRPC status UNAUTHENTICATED / PERMISSION_DENIED, Handle JSON under
/// <c>/api</c> or problem+json elsewhere, with code 402 (no credentials, HTTP 401) or 403/401 (bad or insufficient
/// credentials, HTTP 403).
/// </summary>
public sealed class AuthorizationAnswers : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var failure = context.Items[KeyAuthenticationHandler.FailureItem] as string;
        var (code, message) = context.Items.ContainsKey(KeyAuthenticationHandler.UnavailableItem)
            ? (ResponseCode.ServerTooBusy, "the key store is unavailable; retry later")
            : authorizeResult.Challenged
            ? failure is null
                ? (ResponseCode.AuthenticationNeeded, "this operation needs 'Authorization: Bearer <key>'")
                : (ResponseCode.AuthenticationFailed, failure)
            : (ResponseCode.InsufficientPermissions, "the key does not allow this operation");

        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            Grpc.GrpcErrors.WriteTrailersOnly(context, code, message);
            return;
        }

        if (code == ResponseCode.AuthenticationNeeded)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"idresolution\"";
        }

        await NodeErrorHandling.WriteErrorAsync(context, HandleHttpStatus.For(code), code, message);
    }
}

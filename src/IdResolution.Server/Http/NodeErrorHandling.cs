using IdResolution.Core;
using IdResolution.Registry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace IdResolution.Server.Http;

/// <summary>
/// Turns failures into answers in the caller's protocol: Handle JSON under <c>/api/</c>, RFC 9457
/// problem+json elsewhere. gRPC calls are translated by <see cref="Grpc.HandleErrorInterceptor"/> instead.
/// </summary>
public static partial class NodeErrorHandling
{
    public static IServiceCollection AddNodeHttpApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddOpenApi();
        // Binding failures (e.g. ?page=abc) throw, so that the middleware below answers them in the API's terms.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static IApplicationBuilder UseNodeErrorHandling(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested && !IsGrpc(context))
            {
                var (code, status, message) = Classify(e, context);
                context.Response.Clear();
                SecurityHeaders.Apply(context);
                await WriteErrorAsync(context, status, code, message, (e as HandleException)?.Violations ?? [], context.GetRouteValue("handle") as string);
            }
        });

    /// <summary>
    /// An error in the terms of the request's path: the compatibility shape on the compatibility paths, Handle JSON
    /// (naming <paramref name="handle"/>) under <c>/api</c>, problem+json elsewhere.
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, int status, ResponseCode code, string message,
        IReadOnlyList<Core.Templates.TemplateViolation>? violations = null, string? handle = null)
    {
        if (Compat.CompatAnswers.Serves(context.Request))
        {
            return Compat.CompatAnswers.ErrorAsync(context, status, code, message, violations);
        }

        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return HandleResponses.WriteAsync(context, status, w => Core.Json.HandleJsonWriter.WriteError(w, code, handle, message, violations ?? []));
        }

        return WriteProblemAsync(context, status, code, message, violations);
    }

    public static async Task WriteProblemAsync(HttpContext context, int status, ResponseCode code, string detail, IReadOnlyList<Core.Templates.TemplateViolation>? violations = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = ResponseCodeText.Describe(code), Detail = detail };
        problem.Extensions["responseCode"] = (int)code;
        if (violations is { Count: > 0 })
        {
            problem.Extensions["violations"] = violations.Select(v => new { field = v.Field, index = v.Index, rule = v.Rule, message = v.Message }).ToList();
        }

        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static (ResponseCode Code, int Status, string Message) Classify(Exception e, HttpContext context)
    {
        switch (e)
        {
            case HandleException handle:
                return (handle.Code, HandleHttpStatus.For(handle.Code), handle.Message);
            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge:
                var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
                return (ResponseCode.ProtocolError, StatusCodes.Status413PayloadTooLarge, $"the request body is larger than the limit of {limit} bytes");
            case BadHttpRequestException bad:
                return (ResponseCode.ProtocolError, bad.StatusCode, bad.Message);
            case var _ when RegistryFailure.Is(e):
                Log.RegistryUnavailable(Logger(context), context.Request.Method, context.Request.Path, e);
                return (ResponseCode.ServerTooBusy, StatusCodes.Status503ServiceUnavailable, "the registry is unavailable; retry later");
            default:
                Log.UnexpectedFailure(Logger(context), context.Request.Method, context.Request.Path, e);
                return (ResponseCode.Error, StatusCodes.Status500InternalServerError, "unexpected server error");
        }
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("IdResolution.Server.Http");

    private static bool IsGrpc(HttpContext context) =>
        context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;

    private static partial class Log
    {
        // The request is named in the message: requests carry no logging scope (Hosting.Diagnostics is off in appsettings.json).
        [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Registry unavailable for {Method} {Path}")]
        public static partial void RegistryUnavailable(ILogger logger, string method, PathString path, Exception exception);

        [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Unexpected failure of {Method} {Path}")]
        public static partial void UnexpectedFailure(ILogger logger, string method, PathString path, Exception exception);
    }
}

using Grpc.Core;
using Grpc.Core.Interceptors;
using IdResolution.Core;
using IdResolution.Registry;

namespace IdResolution.Server.Grpc;

/// <summary>Maps refusals and registry outages thrown by services to gRPC statuses with the Handle code attached.</summary>
public sealed partial class HandleErrorInterceptor(ILogger<HandleErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (HandleException e)
        {
            throw GrpcErrors.Exception(e);
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            LogRegistryUnavailable(logger, e);
            throw GrpcErrors.Exception(ResponseCode.ServerTooBusy, "the registry is unavailable; retry later");
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (HandleException e)
        {
            throw GrpcErrors.Exception(e);
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            LogRegistryUnavailable(logger, e);
            throw GrpcErrors.Exception(ResponseCode.ServerTooBusy, "the registry is unavailable; retry later");
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Registry unavailable during a gRPC call")]
    private static partial void LogRegistryUnavailable(ILogger logger, Exception exception);
}

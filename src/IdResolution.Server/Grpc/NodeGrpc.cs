using Grpc.AspNetCore.Server.Model;
using IdResolution.Server.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdResolution.Server.Grpc;

public static class NodeGrpc
{
    public const int MaxMessageBytes = 4 * 1024 * 1024;
    public const int MaxSendMessageBytes = 16 * 1024 * 1024;

    public static IServiceCollection AddNodeGrpc(this IServiceCollection services)
    {
        // Resolution reports its outcomes as values; only the registry's writes throw Handle errors to translate.
        services.AddGrpc(o =>
            {
                o.MaxReceiveMessageSize = MaxMessageBytes;
                o.MaxSendMessageSize = MaxSendMessageBytes;
            })
            .AddServiceOptions<RegistryService>(o => o.Interceptors.Add<HandleErrorInterceptor>())
            .AddServiceOptions<TraceService>(o => o.Interceptors.Add<HandleErrorInterceptor>());
        // Stateless: one instance serves every call instead of one activated per call.
        services.AddSingleton<ResolverService>();
        services.AddGrpcReflection();
        // grpc.health.v1 reports the same readiness as /readyz.
        services.AddGrpcHealthChecks(o => o.Services.Map("", check => check.Tags.Contains(Telemetry.NodeTelemetry.ReadyTag)));

        // After every AddGrpc*: they register grpc-dotnet's default binder, which this one replaces.
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(StrictMessageMethodProvider<>)));
        return services;
    }

    /// <summary>
    /// gRPC messages may be larger than HTTP API bodies (a BatchResolve of 1,000 long names is about 2 MB):
    /// their body limit is the gRPC message limit, not Node:MaxRequestBytes.
    /// </summary>
    private const string ImportPath = "/idresolution.v1.Registry/Import";

    public static IApplicationBuilder UseGrpcRequestLimits(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true
                && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                // An import streams a file of any size in messages each within the message limit.
                limit.MaxRequestBodySize = context.Request.Path.Equals(ImportPath, StringComparison.Ordinal) ? null : MaxMessageBytes + 5;
            }

            return next(context);
        });

    public static IEndpointRouteBuilder MapNodeGrpc(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<ResolverService>().MeasuredAsResolves();
        app.MapGrpcService<RegistryService>();
        app.MapGrpcService<TraceService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService().DisableRateLimiting();
        return app;
    }
}

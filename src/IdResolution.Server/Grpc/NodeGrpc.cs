using Grpc.AspNetCore.Server.Model;
using IdResolution.Registry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdResolution.Server.Grpc;

public static class NodeGrpc
{
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    public static IServiceCollection AddNodeGrpc(this IServiceCollection services)
    {
        // Resolution reports its outcomes as values; only the registry's writes throw Handle errors to translate.
        services.AddGrpc(o => o.MaxReceiveMessageSize = MaxMessageBytes)
            .AddServiceOptions<RegistryService>(o => o.Interceptors.Add<HandleErrorInterceptor>());
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddDbContextCheck<RegistryContext>("registry");

        // After every AddGrpc*: they register grpc-dotnet's default binder, which this one replaces.
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(StrictMessageMethodProvider<>)));
        return services;
    }

    public static IEndpointRouteBuilder MapNodeGrpc(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<ResolverService>();
        app.MapGrpcService<RegistryService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        return app;
    }
}

using IdResolution.Caching;
using IdResolution.Core.Handles;
using IdResolution.Registry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdResolution.Server.Resolution;

/// <summary>Invalidates a handle's cached answers on every node once its write has committed.</summary>
public sealed class CacheInvalidation(ResolutionCache cache) : IHandleWriteListener
{
    public Task HandleWrittenAsync(HandleName name, HandleChange change, CancellationToken cancellationToken) => cache.InvalidateAsync(name.Key, cancellationToken);
}

public static class ResolutionServiceCollectionExtensions
{
    public static IServiceCollection AddResolution(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddResolutionCache(configuration);
        services.TryAddSingleton(TimeProvider.System);
        // Names served elsewhere are resolved through the hierarchy (a no-op without a top-level node).
        services.AddSingleton<Hierarchy.NativeClient>();
        services.AddSingleton<Hierarchy.RemoteResolver>();
        services.AddSingleton<HandleResolver>();
        services.AddHostedService<StandbyWrites>();
        services.AddSingleton<IHandleWriteListener, CacheInvalidation>();
        return services;
    }
}

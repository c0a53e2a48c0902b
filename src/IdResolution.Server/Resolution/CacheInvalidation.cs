using IdResolution.Caching;
using IdResolution.Core.Handles;
using IdResolution.Registry;

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
        services.AddSingleton<HandleResolver>();
        services.AddSingleton<IHandleWriteListener, CacheInvalidation>();
        return services;
    }
}

using IdResolution.Registry;

namespace IdResolution.Server.Hierarchy;

public static class HierarchyServiceCollectionExtensions
{
    /// <summary>The node's place in the hierarchy (<see cref="HierarchyOptions"/>): recursive resolution, filing, reporting.</summary>
    public static IServiceCollection AddHierarchy(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(HierarchyOptions.Section).Get<HierarchyOptions>() ?? new HierarchyOptions();
        services.AddSingleton<NativeClient>();
        services.AddSingleton<RemoteResolver>();
        services.AddHttpClient<TopLevelClient>(http => http.Timeout = options.Timeout);
        services.AddHostedService<FilingDelivery>();
        services.AddHostedService<StatisticsReporting>();
        return services;
    }
}

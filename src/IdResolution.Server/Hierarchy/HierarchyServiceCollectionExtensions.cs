using IdResolution.Registry;

namespace IdResolution.Server.Hierarchy;

public static class HierarchyServiceCollectionExtensions
{
    /// <summary>The node's place in the hierarchy (<see cref="HierarchyOptions"/>): recursive resolution, filing, reporting.</summary>
    public static IServiceCollection AddHierarchy(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(HierarchyOptions.Section).Get<HierarchyOptions>() ?? new HierarchyOptions();
        if (options.Files)
        {
            // Refused at start rather than failing every filing or resolve later.
            HierarchyOptions.NativeEndpoint(options);
            if (configuration.GetValue("Native:Port", Native.NativeOptions.DefaultPort) <= 0)
            {
                throw new InvalidOperationException("a node filing with a top-level node must serve the native protocol (Native:Port > 0): its filings name that port");
            }
        }

        services.AddHttpClient<TopLevelClient>(http => http.Timeout = options.Timeout);
        services.AddHostedService<FilingDelivery>();
        services.AddHostedService<StatisticsReporting>();
        return services;
    }
}

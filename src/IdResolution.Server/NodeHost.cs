using IdResolution.Registry;
using IdResolution.Server.Accounts;
using IdResolution.Server.Auth;
using IdResolution.Server.Bulk;
using IdResolution.Server.Compat;
using IdResolution.Server.Dashboard;
using IdResolution.Server.DigitalLink;
using IdResolution.Server.Grpc;
using IdResolution.Server.Hierarchy;
using IdResolution.Server.Http;
using IdResolution.Server.Limits;
using IdResolution.Server.Resolution;
using IdResolution.Server.Statistics;
using IdResolution.Server.Telemetry;
using IdResolution.Server.Templates;
using IdResolution.Server.Traceability;

namespace IdResolution.Server;

/// <summary>The node's composition: what it is made of and which endpoints it maps. Tests build the same host.</summary>
public static class NodeHost
{
    public static WebApplication Build(string[] args)
    {
        // Settings files travel with the binary; relative data paths stay relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureNodeEndpoints(builder.Configuration);
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>(o => o.IncludeScopes = true);

        builder.Services.AddRegistry(builder.Configuration);
        builder.Services.AddResolution(builder.Configuration);
        builder.Services.AddOptions<Native.NativeOptions>().Bind(builder.Configuration.GetSection("Native"))
            .Validate(Native.NativeOptions.IsValid, "Native:Address and Native:AdvertisedAddress must be IP addresses").ValidateOnStart();
        builder.Services.AddScoped<Native.NativeRequestHandler>();
        builder.Services.AddHostedService<Native.NativeListener>();
        builder.Services.AddHierarchy(builder.Configuration);
        builder.Services.AddNodeAuthentication();
        builder.Services.AddNodeRateLimits(builder.Configuration);
        builder.Services.AddNodeGrpc();
        builder.Services.AddNodeHttpApi();
        builder.Services.AddNodeTelemetry(builder.Configuration);
        builder.Services.AddPrefixStatistics();
        builder.Services.AddDashboard();

        var app = builder.Build();
        app.UseNodeErrorHandling();
        app.UseSecurityHeaders();
        app.UseGrpcRequestLimits();
        app.UseNodeAuthentication();
        // After authentication: a key's bucket follows the key, whatever address it comes from.
        app.UseNodeRateLimits();
        app.UseNodeAuthorization();
        app.UseNodeRequestTimeouts();

        app.MapHandleApi();
        app.MapPrefixApi();
        app.MapStatisticsApi();
        app.MapHierarchyApi();
        app.MapAccountApi();
        app.MapAuditApi();
        app.MapTokenApi();
        app.MapEpcisApi();
        app.MapTraceApi();
        app.MapDigitalLink();
        app.MapTemplateApi();
        app.MapIdentityApi();
        app.MapImportApi();
        app.MapExportApi();
        app.MapNodeGrpc();
        app.MapOpenApi();
        app.MapNodeTelemetry();
        app.MapDashboard();
        app.MapProxy();
        return app;
    }
}

using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IdResolution.Server;

/// <summary>
/// Kestrel listeners: the HTTP API (HTTP/1.1) on <c>Node:HttpUrl</c>, and gRPC (plus the HTTP API over h2c)
/// over cleartext HTTP/2 on <c>Node:GrpcUrl</c>.
/// </summary>
internal static class NodeEndpoints
{
    public const string DefaultHttpUrl = "http://localhost:5080";
    public const string DefaultGrpcUrl = "http://localhost:5081";
    public const long DefaultMaxRequestBytes = 1024 * 1024;

    public static void ConfigureNodeEndpoints(this ConfigureWebHostBuilder webHost, IConfiguration configuration)
    {
        webHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, configuration["Node:HttpUrl"] ?? DefaultHttpUrl, HttpProtocols.Http1);
            Listen(kestrel, configuration["Node:GrpcUrl"] ?? DefaultGrpcUrl, HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = configuration.GetValue("Node:MaxRequestBytes", DefaultMaxRequestBytes);
            kestrel.AddServerHeader = false;
        });
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        var uri = new Uri(url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal));
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new InvalidOperationException($"'{url}': the node listens on cleartext http; terminate TLS at the load balancer.");
        }

        Action<ListenOptions> configure = o => o.Protocols = protocols;
        if (uri.IsLoopback && uri.Host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, configure);
        }
        else if (uri.Host is "0.0.0.0" or "[::]")
        {
            kestrel.ListenAnyIP(uri.Port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port, configure);
        }
    }
}

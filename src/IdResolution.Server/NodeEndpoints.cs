using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IdResolution.Server;

/// <summary>
/// Kestrel listeners: the HTTP API (HTTP/1.1) on <c>Node:HttpUrl</c>, and gRPC (plus the HTTP API over h2c)
/// over HTTP/2 on <c>Node:GrpcUrl</c>. An <c>https://</c> URL serves TLS with the certificate of <c>Node:Tls:*</c>
/// (then the HTTP API also offers HTTP/2 through ALPN).
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
            var tls = new Lazy<X509Certificate2>(() => TlsCertificate.Load(configuration));
            Listen(kestrel, configuration["Node:HttpUrl"] ?? DefaultHttpUrl, HttpProtocols.Http1, tls);
            Listen(kestrel, configuration["Node:GrpcUrl"] ?? DefaultGrpcUrl, HttpProtocols.Http2, tls);
            kestrel.Limits.MaxRequestBodySize = configuration.GetValue("Node:MaxRequestBytes", DefaultMaxRequestBytes);
            kestrel.AddServerHeader = false;
        });
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols, Lazy<X509Certificate2> tls)
    {
        var uri = new Uri(url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal));
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"'{url}': the node listens on http:// or https:// URLs.");
        }

        var secure = uri.Scheme == Uri.UriSchemeHttps;
        Action<ListenOptions> configure = o =>
        {
            o.Protocols = secure && protocols == HttpProtocols.Http1 ? HttpProtocols.Http1AndHttp2 : protocols;
            if (secure)
            {
                o.UseHttps(tls.Value);
            }
        };
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

using System.Net.Http.Headers;
using Grpc.Net.Client;
using IdResolution.Caching;
using IdResolution.Server.Startup;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>A real node (Kestrel on free loopback ports) built exactly as Program.cs builds it.</summary>
public sealed class NodeServer : IAsyncDisposable
{
    public const string OperatorToken = "test-operator-token-0123456789";

    private readonly WebApplication _app;

    private NodeServer(WebApplication app, Uri httpUrl, Uri grpcUrl, string? trustedThumbprint)
    {
        _app = app;
        HttpUrl = httpUrl;
        GrpcUrl = grpcUrl;
        Http = new HttpClient(Handler(trustedThumbprint)) { BaseAddress = httpUrl };
        Channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions { HttpHandler = Handler(trustedThumbprint) });
    }

    /// <summary>Over TLS, clients trust exactly the node's test certificate.</summary>
    private static SocketsHttpHandler Handler(string? trustedThumbprint) => new()
    {
        SslOptions = trustedThumbprint is null ? new() : new()
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && string.Equals(certificate.GetCertHashString(), trustedThumbprint, StringComparison.OrdinalIgnoreCase),
        },
    };

    public Uri HttpUrl { get; }

    public Uri GrpcUrl { get; }

    /// <summary>The TCP and UDP port of the native Handle protocol.</summary>
    public int NativePort => int.Parse(_app.Configuration["Native:Port"]!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An anonymous HTTP/1.1 client on the HTTP port.</summary>
    public HttpClient Http { get; }

    /// <summary>An HTTP/2 cleartext channel on the gRPC port.</summary>
    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a node on free ports. A port found free may be taken by another process before the node binds it: the
    /// start is then tried again on other ports (unless the test fixed the HTTP address).
    /// </summary>
    public static async Task<NodeServer> StartAsync(IDictionary<string, string?> settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(settings);
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException && attempt < 3 && !settings.ContainsKey("Node:HttpUrl"))
            {
                // ports taken meanwhile: other ones
            }
        }
    }

    private static async Task<NodeServer> StartOnceAsync(IDictionary<string, string?> settings)
    {
        // With a certificate configured the node serves TLS on both ports.
        settings.TryGetValue("Node:Tls:CertificatePath", out var certificate);
        var scheme = certificate is null ? "http" : "https";
        // A test may fix the HTTP address, to start a node where others already expect it.
        var httpUrl = new Uri(settings.TryGetValue("Node:HttpUrl", out var fixedUrl) && fixedUrl is not null ? fixedUrl : $"{scheme}://127.0.0.1:{Ports.Free()}");
        var grpcUrl = new Uri($"{scheme}://127.0.0.1:{Ports.Free()}");
        // Tests drive load from one address: rate limits are off unless a test sets them.
        var all = new Dictionary<string, string?>
        {
            ["Limits:PerAddressPerSecond"] = "0",
            ["Limits:PerKeyPerSecond"] = "0",
            ["Native:Port"] = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        all["Node:HttpUrl"] = httpUrl.ToString();
        all["Node:GrpcUrl"] = grpcUrl.ToString();
        all["Auth:BootstrapToken"] = OperatorToken;
        all["Logging:LogLevel:Default"] = "Warning";
        var app = NodeHost.Build([.. all.Select(kv => $"--{kv.Key}={kv.Value}")]);
        try
        {
            await app.InitialiseNodeAsync();
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var thumbprint = certificate is null ? null : System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, settings["Node:Tls:KeyPath"]).Thumbprint;
        return new NodeServer(app, httpUrl, grpcUrl, thumbprint);
    }

    public static AuthenticationHeaderValue Bearer(string token = OperatorToken) => new("Bearer", token);

    public HttpRequestMessage Request(HttpMethod method, string path, string? json = null, bool authorised = true)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        if (authorised)
        {
            request.Headers.Authorization = Bearer();
        }

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, bool authorised = true) =>
        Http.SendAsync(Request(method, path, json, authorised));

    /// <summary>
    /// Returns once the second invalidations of this node's writes (Cache:SecondInvalidationDelay after each) are done:
    /// an answer cached before then may still be dropped from L1 and Redis.
    /// </summary>
    public Task SecondInvalidationsDoneAsync() =>
        Eventually.HoldsAsync(
            () => Task.FromResult(Services.GetRequiredService<ResolutionCache>().PendingInvalidations == 0), TimeSpan.FromSeconds(30), "the node's second invalidations");

    public global::Grpc.Core.Metadata OperatorMetadata() => new() { { "authorization", $"Bearer {OperatorToken}" } };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Transport;

/// <summary>A node with a self-signed certificate for 127.0.0.1: HTTPS (HTTP/1.1 and HTTP/2) and gRPC over TLS.</summary>
public sealed class TlsNodeFixture : SqliteNodeFixture
{
    private readonly string _directory = Directory.CreateTempSubdirectory("idres-tls-").FullName;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=idresolution test node", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(_directory, "node.crt");
        var keyPath = Path.Combine(_directory, "node.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        settings["Node:Tls:CertificatePath"] = certificatePath;
        settings["Node:Tls:KeyPath"] = keyPath;
    }
}

public sealed class TlsTests(TlsNodeFixture fixture) : IClassFixture<TlsNodeFixture>
{
    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task OverHttps_ResolvesOnHttp11AndHttp2_WithHsts()
    {
        var handle = $"{NodeFixture.EnterprisePrefix}/TLS-1";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://tls.example"}]""")).EnsureSuccessStatusCode();

        using var http11 = await Node.Http.GetAsync($"/api/handles/{handle}");
        using var http2 = await Node.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/handles/{handle}") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact });

        Assert.Equal(HttpStatusCode.OK, http11.StatusCode);
        Assert.Equal(HttpVersion.Version11, http11.Version);
        Assert.Equal(HttpVersion.Version20, http2.Version);
        Assert.Contains("tls.example", await http2.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("max-age=31536000", http11.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.Equal(Uri.UriSchemeHttps, Node.HttpUrl.Scheme);
    }

    [Fact]
    public async Task GrpcOverTls_Resolves()
    {
        var handle = $"{NodeFixture.EnterprisePrefix}/TLS-2";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://tls2.example"}]""")).EnsureSuccessStatusCode();

        var answer = await new Resolver.ResolverClient(Node.Channel).ResolveAsync(new ResolveRequest { Handle = handle });

        Assert.Equal(Uri.UriSchemeHttps, Node.GrpcUrl.Scheme);
        Assert.Equal("https://tls2.example", answer.Values.Single().Data.ToStringUtf8());
    }

    [Fact]
    public async Task AnUntrustedClient_CannotTalkToTheNode()
    {
        using var untrusting = new HttpClient { BaseAddress = Node.HttpUrl };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync("/healthz"));
    }

    [Fact]
    public void AnHttpsUrlWithoutCertificate_StopsStartupWithTheReason()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var app = NodeHost.Build(["--Node:HttpUrl=https://127.0.0.1:0", "--Node:GrpcUrl=http://127.0.0.1:0", "--Registry:Provider=Sqlite", $"--Node:DataDirectory={Path.GetTempPath()}"]);
            app.StartAsync().GetAwaiter().GetResult();
        });
        Assert.Contains("Node:Tls:CertificatePath", error.Message, StringComparison.Ordinal);
    }
}

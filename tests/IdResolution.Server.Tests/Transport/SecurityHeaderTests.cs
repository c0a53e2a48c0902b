using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Transport;

/// <summary>Browser-facing protections on every HTTP answer, errors included.</summary>
public sealed class SecurityHeaderTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    [Theory]
    [InlineData("/api/handles/88.118.8.1001/none")]
    [InlineData("/dashboard")]
    [InlineData("/admin/audit")]
    [InlineData("/api/handles?prefix=%%%")]
    [InlineData("/88.118.8.1001/none")]
    public async Task EveryAnswer_CarriesTheSecurityHeaders(string path)
    {
        using var response = await fixture.Node.Http.GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS only over TLS");
    }
}

using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Transport;

/// <summary>Browser-facing protections on every HTTP answer, errors included; the node's pages add their own.</summary>
public sealed class SecurityHeaderTests(SqliteNodeFixture fixture) : IClassFixture<SqliteNodeFixture>
{
    [Theory]
    [InlineData("/api/handles/88.118.8.1001/none")]
    [InlineData("/admin/audit")]
    [InlineData("/api/handles?prefix=%%%")]
    [InlineData("/88.118.8.1001/none")]
    public async Task EveryApiAnswer_CarriesTheApiSet_WithAPolicyThatLoadsNothing(string path)
    {
        using var response = await fixture.Node.Http.GetAsync(path);

        AssertCommonHeaders(response);
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.False(response.Headers.Contains("Referrer-Policy"), "an API answer holds no links to follow");
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/")]
    public async Task EveryPage_CarriesThePagePolicy_AndNoReferrer(string path)
    {
        using var response = await fixture.Node.Http.GetAsync(path);

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        AssertCommonHeaders(response);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self' 'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS only over TLS");
    }
}

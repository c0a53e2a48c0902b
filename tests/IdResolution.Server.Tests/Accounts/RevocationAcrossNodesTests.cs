using System.Net;
using IdResolution.Server.Tests.Caching;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Accounts;

/// <summary>A key revoked on one node stops working on the others at once, though they had just checked it.</summary>
public sealed class RevocationAcrossNodesTests(TwoNodesFixture nodes) : IClassFixture<TwoNodesFixture>
{
    [Fact]
    public async Task KeyRevokedOnA_IsRefusedByB_WithinTheBackplaneDelay()
    {
        var tenant = await Tenant.CreateAsync(nodes.A);
        var writer = await tenant.IssueAsync(nodes.A, "writer");
        using var used = await nodes.B.SendAsAsync(writer.Secret, HttpMethod.Get, $"/api/handles?prefix={tenant.Prefix}");

        (await nodes.A.SendAsync(HttpMethod.Delete, $"/admin/keys/{writer.Id}")).EnsureSuccessStatusCode();
        var took = await Eventually.HoldsAsync(async () =>
        {
            using var attempt = await nodes.B.SendAsAsync(writer.Secret, HttpMethod.Get, $"/api/handles?prefix={tenant.Prefix}");
            return attempt.StatusCode == HttpStatusCode.Forbidden;
        }, TimeSpan.FromSeconds(10), "node B refusing the revoked key");

        Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        // Far below the 30 s for which B would otherwise have trusted its cached check.
        Assert.True(took < TimeSpan.FromSeconds(3), $"B refused the key only after {took}");
    }
}

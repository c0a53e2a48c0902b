using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Limits;

/// <summary>A node with small limits: 5 requests/s per address, 20 per key, buckets of one second.</summary>
public sealed class LimitedNodeFixture : SqliteNodeFixture
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Limits:PerAddressPerSecond"] = "5";
        settings["Limits:PerKeyPerSecond"] = "20";
        settings["Limits:BurstSeconds"] = "1";
    }
}

public sealed class RateLimitTests(LimitedNodeFixture fixture) : IClassFixture<LimitedNodeFixture>
{
    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task AnAddressOverItsRate_Gets429WithRetryAfter_InEachProtocolsTerms_ThenRecovers()
    {
        using var rejections = new NodeMetric(Node, "idres.limits.rejections", "idres.limit", "address");
        var refused = await FloodAsync(() => Node.Http.GetAsync($"/api/handles/{NodeFixture.EnterprisePrefix}/nothing"));
        // Each protocol floods on its own: the bucket refills every second, so one flood cannot be relied on for the next.
        using var problem = await FloodAsync(() => Node.Http.GetAsync("/admin/audit"));
        var grpc = await GrpcFloodAsync();
        // Probes and scrapes stay answered while the address is throttled.
        foreach (var probe in new[] { "/healthz", "/readyz", "/metrics" })
        {
            using var answered = await Node.Http.GetAsync(probe);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        var health = await new global::Grpc.Health.V1.Health.HealthClient(Node.Channel).CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(int.Parse(refused.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(3, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("responseCode").GetInt32());
        Assert.Equal(HttpStatusCode.TooManyRequests, problem.StatusCode);
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Contains(grpc.GetRpcStatus()!.Details, d => d.Is(RetryInfo.Descriptor));
        Assert.True(rejections.Total >= 3);

        await Eventually.HoldsAsync(async () =>
        {
            using var again = await Node.Http.GetAsync($"/api/handles/{NodeFixture.EnterprisePrefix}/nothing");
            return again.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10), "the address's bucket refilling");
    }

    [Fact]
    public async Task AKey_HasItsOwnBucket_WhateverItsAddress()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var reader = await tenant.IssueAsync(Node, "reader");
        var list = $"/api/handles?prefix={tenant.Prefix}";
        await FloodAsync(() => Node.Http.GetAsync($"/api/handles/{NodeFixture.EnterprisePrefix}/nothing"));

        using var withKey = await Node.SendAsAsync(reader.Secret, HttpMethod.Get, list);
        var keyRefused = await FloodAsync(() => Node.SendAsAsync(reader.Secret, HttpMethod.Get, list));

        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, keyRefused.StatusCode);
        Assert.Contains("key", (await keyRefused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenSpendsItsKeysBucket()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var reader = await tenant.IssueAsync(Node, "reader");
        using var issued = await Node.SendAsAsync(reader.Secret, HttpMethod.Post, "/auth/token");
        var token = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var list = $"/api/handles?prefix={tenant.Prefix}";

        // The bucket refills once a second: a refill landing between the two requests would let the key through, so
        // the pair is tried again (three misses in a row would take three refills in a few milliseconds each).
        var refusedByKey = false;
        for (var attempt = 0; attempt < 3 && !refusedByKey; attempt++)
        {
            (await FloodAsync(() => Node.SendAsAsync(token, HttpMethod.Get, list))).Dispose();
            using var byKey = await Node.SendAsAsync(reader.Secret, HttpMethod.Get, list);
            refusedByKey = byKey.StatusCode == HttpStatusCode.TooManyRequests;
        }

        Assert.True(refusedByKey, "the key had a bucket of its own");
    }

    /// <summary>Resolves over gRPC until the node refuses for the rate (at most 200 calls) and returns the refusal.</summary>
    private async Task<RpcException> GrpcFloodAsync()
    {
        var resolver = new Resolver.ResolverClient(Node.Channel);
        for (var i = 0; i < 200; i++)
        {
            try
            {
                await resolver.ResolveAsync(new ResolveRequest { Handle = "88.118.8.1001/x" });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                return e;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                // answered: the bucket still had tokens
            }
        }

        throw new Xunit.Sdk.XunitException("200 gRPC calls in a row were all answered");
    }

    /// <summary>Sends until the node refuses (at most 200 requests) and returns the refusal.</summary>
    private static async Task<HttpResponseMessage> FloodAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var i = 0; i < 200; i++)
        {
            var response = await send();
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            response.Dispose();
        }

        throw new Xunit.Sdk.XunitException("200 requests in a row were all accepted");
    }
}

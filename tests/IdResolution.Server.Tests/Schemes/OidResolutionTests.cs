using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Schemes;

/// <summary>OIDs under registered arcs, through the real server on PostgreSQL and Redis.</summary>
public sealed class OidResolutionTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private const string Values = """{"values":[{"index":1,"type":"URL","data":"https://part.example/42"},{"index":2000,"type":"MODEL","data":"ZX-9"}]}""";

    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task AnOidUnderARegisteredArc_IsWrittenByItsOwner_AndResolvesInEveryForm()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var arc = SchemeTestNames.NewArc();
        await SchemeTestNames.AssignAsync(Node, tenant, "oid:" + arc);
        var writer = await tenant.IssueAsync(Node, "writer");

        using var created = await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/oid:{arc}.7.42", Values);
        var marked = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/oid:{arc}.7.42");
        var bare = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{arc}.7.42");
        var grpc = await new Resolver.ResolverClient(Node.Channel).ResolveAsync(new ResolveRequest { Handle = $"{arc}.7.42" });
        using var listing = await Node.SendAsAsync(writer.Secret, HttpMethod.Get, $"/api/handles?prefix=oid:{arc}");
        var listed = await Json(listing);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"OID/{arc}.7.42", marked.GetProperty("handle").GetString());
        Assert.Equal(marked.GetRawText(), bare.GetRawText());
        Assert.Equal($"OID/{arc}.7.42", grpc.Handle);
        Assert.Equal("ZX-9", grpc.Values.Single(v => v.Index == 2000).Data.ToStringUtf8());
        Assert.Equal([$"OID/{arc}.7.42"], listed.GetProperty("handles").EnumerateArray().Select(h => h.GetString()));
    }

    [Fact]
    public async Task TheLongestRegisteredArc_DecidesWhoWrites()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var arc = SchemeTestNames.NewArc();
        await SchemeTestNames.AssignAsync(Node, a, "oid:" + arc);
        await SchemeTestNames.AssignAsync(Node, b, $"oid:{arc}.9");
        var (writerA, writerB) = (await a.IssueAsync(Node, "writer"), await b.IssueAsync(Node, "writer"));

        using var aOwn = await Node.SendAsAsync(writerA.Secret, HttpMethod.Put, $"/api/handles/oid:{arc}.8.1", Values);
        using var aInB = await Node.SendAsAsync(writerA.Secret, HttpMethod.Put, $"/api/handles/oid:{arc}.9.1", Values);
        using var bOwn = await Node.SendAsAsync(writerB.Secret, HttpMethod.Put, $"/api/handles/oid:{arc}.9.1", Values);
        using var bInA = await Node.SendAsAsync(writerB.Secret, HttpMethod.Put, $"/api/handles/oid:{arc}.8.2", Values);

        Assert.Equal(HttpStatusCode.Created, aOwn.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, aInB.StatusCode);
        Assert.Equal(HttpStatusCode.Created, bOwn.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bInA.StatusCode);
    }

    [Fact]
    public async Task UnknownAndMalformedOids_AreExplained_OverHttpAndGrpc()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var arc = SchemeTestNames.NewArc();
        await SchemeTestNames.AssignAsync(Node, tenant, "oid:" + arc);

        using var notRegistered = await Node.Http.GetAsync($"/api/handles/oid:{arc}.1.1");
        using var notServed = await Node.Http.GetAsync($"/api/handles/oid:{SchemeTestNames.NewArc()}.1");
        using var leadingZero = await Node.Http.GetAsync($"/api/handles/oid:{arc}.01");
        using var emptyArc = await Node.Http.GetAsync($"/api/handles/oid:{arc}..1");
        var grpc = await Assert.ThrowsAsync<RpcException>(() => new Resolver.ResolverClient(Node.Channel).ResolveAsync(new ResolveRequest { Handle = "oid:1.2.x" }).ResponseAsync);

        Assert.Equal(HttpStatusCode.NotFound, notRegistered.StatusCode);
        var refusal = await Json(notServed);
        Assert.Equal(301, refusal.GetProperty("responseCode").GetInt32());
        Assert.Contains("no OID arc served by this node", refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("leading zero", (await Json(leadingZero)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("is empty", (await Json(emptyArc)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.Contains("not a digit", grpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOidOfTooManyArcs_IsRefusedAlone_EvenInsideABatch()
    {
        var tooLong = "oid:1.2." + string.Join('.', Enumerable.Range(1, 30));

        using var single = await Node.Http.GetAsync($"/api/handles/{tooLong}");
        var batch = await new Resolver.ResolverClient(Node.Channel).BatchResolveAsync(new BatchResolveRequest { Handles = { tooLong, "88.118.8.1001/not-there" } });

        Assert.Equal(HttpStatusCode.BadRequest, single.StatusCode);
        Assert.Contains("at most 31 arcs", (await Json(single)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal([102u, 100u], batch.Results.Select(r => r.ResponseCode));
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();
}

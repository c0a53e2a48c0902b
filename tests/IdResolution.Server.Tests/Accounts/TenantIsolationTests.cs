using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Accounts;

/// <summary>Enterprise A against enterprise B, over HTTP and gRPC, on real PostgreSQL and Redis.</summary>
public sealed class TenantIsolationTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private const string Values = """[{"index":1,"type":"URL","data":"https://a.example"},{"index":2,"type":"SECRET","data":"s3cret","permissions":"1100"}]""";

    private NodeServer Node => fixture.Node;

    private Contracts.V1.Registry.RegistryClient Registry => new(Node.Channel);

    private Resolver.ResolverClient Resolver => new(Node.Channel);

    [Fact]
    public async Task AWriter_WritesUnderA_AndNothingUnderB_OverHttpAndGrpc()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var writerA = await a.IssueAsync(Node, "writer");
        var bHandle = $"{b.Prefix}/B-1";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{bHandle}", Values)).EnsureSuccessStatusCode();
        var before = await Node.Http.GetStringAsync($"/api/handles/{bHandle}?auth=true");

        using var own = await Node.SendAsAsync(writerA.Secret, HttpMethod.Put, $"/api/handles/{a.Prefix}/A-1", Values);
        using var create = await Node.SendAsAsync(writerA.Secret, HttpMethod.Put, $"/api/handles/{b.Prefix}/A-intrudes", Values);
        using var replace = await Node.SendAsAsync(writerA.Secret, HttpMethod.Put, $"/api/handles/{bHandle}", Values);
        using var delete = await Node.SendAsAsync(writerA.Secret, HttpMethod.Delete, $"/api/handles/{bHandle}");
        using var list = await Node.SendAsAsync(writerA.Secret, HttpMethod.Get, $"/api/handles?prefix={b.Prefix}");
        // Not served yet, so it might be given to anyone: refused at once rather than checked after the body arrives.
        using var unserved = await Node.SendAsAsync(writerA.Secret, HttpMethod.Put, $"/api/handles/88.118.8.{Random.Shared.Next(100_000, 999_999)}/A-early", Values);
        var grpcCreate = await Assert.ThrowsAsync<RpcException>(() => Registry.CreateHandleAsync(
            new CreateHandleRequest { Handle = $"{b.Prefix}/A-grpc", Values = { Value(1, "URL", "x") } }, KeyRequests.Metadata(writerA.Secret)).ResponseAsync);
        var grpcDelete = await Assert.ThrowsAsync<RpcException>(() => Registry.DeleteHandleAsync(
            new DeleteHandleRequest { Handle = bHandle }, KeyRequests.Metadata(writerA.Secret)).ResponseAsync);
        var grpcList = await Assert.ThrowsAsync<RpcException>(() => Registry.ListHandlesAsync(
            new ListHandlesRequest { Prefix = b.Prefix }, KeyRequests.Metadata(writerA.Secret)).ResponseAsync);

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(301, (await unserved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("responseCode").GetInt32());
        foreach (var refused in new[] { create, replace, delete, list })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal(401, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("responseCode").GetInt32());
        }

        Assert.All([grpcCreate, grpcDelete, grpcList], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Equal(before, await Node.Http.GetStringAsync($"/api/handles/{bHandle}?auth=true"));
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/api/handles/{b.Prefix}/A-intrudes")).StatusCode);
    }

    [Fact]
    public async Task ReaderKey_ListsItsOwnPrefix_ButCannotWrite()
    {
        var a = await Tenant.CreateAsync(Node);
        var readerA = await a.IssueAsync(Node, "reader");
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{a.Prefix}/R-1", Values)).EnsureSuccessStatusCode();

        using var list = await Node.SendAsAsync(readerA.Secret, HttpMethod.Get, $"/api/handles?prefix={a.Prefix}");
        using var write = await Node.SendAsAsync(readerA.Secret, HttpMethod.Put, $"/api/handles/{a.Prefix}/R-2", Values);
        var grpcList = await Registry.ListHandlesAsync(new ListHandlesRequest { Prefix = a.Prefix }, KeyRequests.Metadata(readerA.Secret));
        var grpcWrite = await Assert.ThrowsAsync<RpcException>(() => Registry.CreateHandleAsync(
            new CreateHandleRequest { Handle = $"{a.Prefix}/R-3", Values = { Value(1, "URL", "x") } }, KeyRequests.Metadata(readerA.Secret)).ResponseAsync);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains($"{a.Prefix}/R-1", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal([$"{a.Prefix}/R-1"], grpcList.Handles);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, grpcWrite.StatusCode);
    }

    [Fact]
    public async Task RestrictedValues_GoToTheOwnersKeysOnly_FromEveryLayerAndProtocol()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var (readerA, readerB) = (await a.IssueAsync(Node, "reader"), await b.IssueAsync(Node, "reader"));
        var handle = $"{a.Prefix}/P-1";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", Values)).EnsureSuccessStatusCode();

        // Twice anonymously first, so that the owner's reads below are served from the in-process cache.
        for (var i = 0; i < 2; i++)
        {
            Assert.DoesNotContain("SECRET", await Node.Http.GetStringAsync($"/api/handles/{handle}"), StringComparison.Ordinal);
        }

        foreach (var (key, sees) in new[] { (readerA.Secret, true), (readerB.Secret, false), (NodeServer.OperatorToken, true) })
        {
            using var http = await Node.SendAsAsync(key, HttpMethod.Get, $"/api/handles/{handle}");
            using var filtered = await Node.SendAsAsync(key, HttpMethod.Get, $"/api/handles/{handle}?type=SECRET");
            var grpc = await Resolver.ResolveAsync(new ResolveRequest { Handle = handle }, KeyRequests.Metadata(key));
            var batch = await Resolver.BatchResolveAsync(new BatchResolveRequest { Handles = { handle } }, KeyRequests.Metadata(key));

            Assert.Equal(sees, (await http.Content.ReadAsStringAsync()).Contains("s3cret", StringComparison.Ordinal));
            Assert.Equal(sees ? 1 : 200, (await filtered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("responseCode").GetInt32());
            Assert.Equal(sees, grpc.Values.Any(v => v.Type == "SECRET"));
            Assert.Equal(sees, batch.Results[0].Values.Any(v => v.Type == "SECRET"));
        }

        var anonymous = await Resolver.ResolveAsync(new ResolveRequest { Handle = handle });
        Assert.DoesNotContain(anonymous.Values, v => v.Type == "SECRET");
    }

    [Fact]
    public async Task EnterpriseAdmin_ManagesItsOwnKeysAndDerivedPrefixes_Only()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var adminA = await a.IssueAsync(Node, "admin");
        var writerB = await b.IssueAsync(Node, "writer");

        var writerA = await a.IssueAsync(Node, "writer", issuer: adminA.Secret);
        using var forB = await Node.SendAsAsync(adminA.Secret, HttpMethod.Post, "/admin/keys", JsonSerializer.Serialize(new { name = "x", role = "writer", enterpriseId = b.Id }));
        using var operatorKey = await Node.SendAsAsync(adminA.Secret, HttpMethod.Post, "/admin/keys", """{"name":"x","role":"operator"}""");
        using var siteKey = await Node.SendAsAsync(adminA.Secret, HttpMethod.Post, "/admin/keys", """{"name":"x","role":"site"}""");
        using var revokeB = await Node.SendAsAsync(adminA.Secret, HttpMethod.Delete, $"/admin/keys/{writerB.Id}");
        using var listed = await Node.SendAsAsync(adminA.Secret, HttpMethod.Get, "/admin/keys");
        using var derived = await Node.SendAsAsync(adminA.Secret, HttpMethod.Post, $"/api/prefixes/{a.Prefix}.7");
        using var underB = await Node.SendAsAsync(adminA.Secret, HttpMethod.Post, $"/api/prefixes/{b.Prefix}.7");
        using var byWriter = await Node.SendAsAsync(writerA.Secret, HttpMethod.Post, $"/api/prefixes/{a.Prefix}.8");
        using var writeDerived = await Node.SendAsAsync(writerA.Secret, HttpMethod.Put, $"/api/handles/{a.Prefix}.7/D-1", Values);
        using var otherEnterprise = await Node.SendAsAsync(adminA.Secret, HttpMethod.Get, $"/admin/enterprises/{b.Id}");

        Assert.Equal(HttpStatusCode.Forbidden, forB.StatusCode);
        Assert.Equal("application/problem+json", forB.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, operatorKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, siteKey.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, revokeB.StatusCode);
        var keys = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("keys").EnumerateArray().ToList();
        Assert.All(keys, k => Assert.Equal(a.Id, k.GetProperty("enterpriseId").GetInt64()));
        Assert.Contains(keys, k => k.GetProperty("id").GetInt64() == writerA.Id);
        Assert.All(keys, k => Assert.Equal(JsonValueKind.Null, k.GetProperty("key").ValueKind));
        Assert.Equal(HttpStatusCode.Created, derived.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, underB.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byWriter.StatusCode);
        Assert.Equal(HttpStatusCode.Created, writeDerived.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherEnterprise.StatusCode);
        using var stillWorks = await Node.SendAsAsync(writerB.Secret, HttpMethod.Put, $"/api/handles/{b.Prefix}/still", Values);
        Assert.Equal(HttpStatusCode.Created, stillWorks.StatusCode);
    }

    [Fact]
    public async Task RevokedKey_FailsAtOnce_EvenRightAfterUse()
    {
        var a = await Tenant.CreateAsync(Node);
        var writer = await a.IssueAsync(Node, "writer");
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{a.Prefix}/K-1", Values)).EnsureSuccessStatusCode();

        using var revoked = await Node.SendAsync(HttpMethod.Delete, $"/admin/keys/{writer.Id}");
        using var http = await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{a.Prefix}/K-2", Values);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => Registry.CreateHandleAsync(
            new CreateHandleRequest { Handle = $"{a.Prefix}/K-3", Values = { Value(1, "URL", "x") } }, KeyRequests.Metadata(writer.Secret)).ResponseAsync);
        using var again = await Node.SendAsync(HttpMethod.Delete, $"/admin/keys/{writer.Id}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, http.StatusCode);
        Assert.Equal(403, (await http.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("responseCode").GetInt32());
        Assert.Equal(StatusCode.Unauthenticated, grpc.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task ExpiringKey_WorksUntilItsExpiry_ThenFails()
    {
        var a = await Tenant.CreateAsync(Node);
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var writer = await a.IssueAsync(Node, "writer", expiresAt: expiresAt);

        using var before = await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{a.Prefix}/E-1", Values);
        await Eventually.HoldsAsync(async () =>
        {
            using var attempt = await Node.SendAsAsync(writer.Secret, HttpMethod.Get, $"/api/handles?prefix={a.Prefix}");
            return attempt.StatusCode == HttpStatusCode.Forbidden;
        }, TimeSpan.FromSeconds(15), "the key expiring");

        Assert.Equal(HttpStatusCode.Created, before.StatusCode);
        Assert.True(DateTimeOffset.UtcNow >= expiresAt.AddSeconds(-1), "refused before its expiry");
    }

    [Fact]
    public async Task ATemporaryAdmin_IssuesKeysThatExpireNoLaterThanItself()
    {
        var a = await Tenant.CreateAsync(Node);
        var expiresAt = DateTimeOffset.UtcNow.AddHours(1);
        var admin = await a.IssueAsync(Node, "admin", expiresAt: expiresAt);

        using var issued = await Node.SendAsAsync(admin.Secret, HttpMethod.Post, "/admin/keys", """{"name":"forever","role":"admin"}""");
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal(expiresAt.ToUnixTimeSeconds(), body.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task APrefixOfAnotherEnterprise_CannotBeGivenAway()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        using var taken = await Node.SendAsync(HttpMethod.Put, $"/admin/enterprises/{a.Id}/prefixes/{b.Prefix}");
        using var again = await Node.SendAsync(HttpMethod.Put, $"/admin/enterprises/{a.Id}/prefixes/{a.Prefix}");
        using var nodePrefix = await Node.SendAsync(HttpMethod.Put, $"/admin/enterprises/{a.Id}/prefixes/88.118.8");
        using var foreign = await Node.SendAsync(HttpMethod.Put, $"/admin/enterprises/{a.Id}/prefixes/99.1.2");
        using var missing = await Node.SendAsync(HttpMethod.Put, $"/admin/enterprises/999999999/prefixes/88.118.8.4242");

        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("application/problem+json", taken.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nodePrefix.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static Contracts.V1.HandleValue Value(uint index, string type, string data) =>
        new() { Index = index, Type = type, Data = ByteString.CopyFromUtf8(data) };
}

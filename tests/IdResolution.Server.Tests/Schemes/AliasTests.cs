using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Schemes;

public sealed class PostgresAliasTests(PostgresNodeFixture fixture) : AliasTests(fixture), IClassFixture<PostgresNodeFixture>;

public sealed class SqliteAliasTests(SqliteNodeFixture fixture) : AliasTests(fixture), IClassFixture<SqliteNodeFixture>;

/// <summary>One object under several names (a handle, its GTIN + serial, an OID): HS_ALIAS records, on PostgreSQL and Redis, and on SQLite.</summary>
public abstract class AliasTests(NodeFixture fixture)
{
    private NodeServer Node => fixture.Node;

    private Resolver.ResolverClient Resolver => new(Node.Channel);

    private static string Record(string url) => $$"""{"values":[{"index":1,"type":"URL","data":"{{url}}"},{"index":2000,"type":"BATCH","data":"B-7"}]}""";

    private static string AliasOf(string target) => $$"""{"values":[{"index":1,"type":"HS_ALIAS","data":"{{target}}"}]}""";

    [Fact]
    public async Task AGs1NameAliasingAHandle_ResolvesToTheHandlesRecord_WhichListsIt_OverHttpAndGrpc()
    {
        var (tenant, writer, gcp) = await EnterpriseWithCompanyPrefixAsync();
        var handle = $"{tenant.Prefix}/SHAMPOO-1";
        var gs1 = $"GS1/01/{SchemeTestNames.Gtin(gcp, 1)}/21/S1";
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{handle}", Record("https://a.example/v1"))).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{gs1}", AliasOf(handle))).EnsureSuccessStatusCode();

        var viaGs1 = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{gs1}");
        var viaHandle = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{handle}");
        var grpc = await Resolver.ResolveAsync(new ResolveRequest { Handle = gs1 });
        var batch = await Resolver.BatchResolveAsync(new BatchResolveRequest { Handles = { gs1, handle, $"GS1/01/{SchemeTestNames.Gtin(gcp, 2)}" } });

        Assert.Equal(handle, viaGs1.GetProperty("handle").GetString());
        Assert.Equal([gs1], viaGs1.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(viaHandle.GetRawText(), viaGs1.GetRawText());
        Assert.Equal(handle, grpc.Handle);
        Assert.Equal([gs1], grpc.Aliases);
        Assert.Equal([handle, handle], batch.Results.Take(2).Select(r => r.Handle));
        Assert.All(batch.Results.Take(2), r => Assert.Equal("B-7", r.Values.Single(v => v.Index == 2000).Data.ToStringUtf8()));
        Assert.Equal(100u, batch.Results[2].ResponseCode);
    }

    [Fact]
    public async Task ChangesToTheTargetAndToItsAliases_ShowAtOnce_ThroughEveryCacheLayer()
    {
        var (tenant, writer, gcp) = await EnterpriseWithCompanyPrefixAsync();
        var handle = $"{tenant.Prefix}/LOT-9";
        var gs1 = $"GS1/01/{SchemeTestNames.Gtin(gcp, 3)}/10/LOT-9";
        var oid = $"OID/{SchemeTestNames.NewArc()}.1";
        await SchemeTestNames.AssignAsync(Node, tenant, "oid:" + oid[4..^2]);
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{handle}", Record("https://a.example/v1"))).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{gs1}", AliasOf(handle))).EnsureSuccessStatusCode();
        await Node.Http.GetStringAsync($"/api/handles/{gs1}"); // cached now, target and alias

        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{handle}", Record("https://a.example/v2"))).EnsureSuccessStatusCode();
        var afterUpdate = await Node.Http.GetStringAsync($"/api/handles/{gs1}");
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{oid}", AliasOf(handle))).EnsureSuccessStatusCode();
        var twoAliases = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{handle}");
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Delete, $"/api/handles/{gs1}")).EnsureSuccessStatusCode();
        var oneAlias = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{handle}");
        using var gone = await Node.Http.GetAsync($"/api/handles/{gs1}");

        Assert.Contains("https://a.example/v2", afterUpdate, StringComparison.Ordinal);
        Assert.Equal([gs1, oid], twoAliases.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal([oid], oneAlias.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task BadAliases_AreRefused_WithTheReason()
    {
        var (tenant, writer, gcp) = await EnterpriseWithCompanyPrefixAsync();
        var other = await Tenant.CreateAsync(Node);
        var otherHandle = $"{other.Prefix}/THEIRS";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{otherHandle}", Record("https://b.example"))).EnsureSuccessStatusCode();
        var handle = $"{tenant.Prefix}/MINE";
        var alias = $"GS1/01/{SchemeTestNames.Gtin(gcp, 4)}";
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{handle}", Record("https://a.example"))).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{alias}", AliasOf(handle))).EnsureSuccessStatusCode();

        var cases = new (string Name, string Body, HttpStatusCode Status, string Reason)[]
        {
            ($"GS1/01/{SchemeTestNames.Gtin(gcp, 5)}", AliasOf($"{tenant.Prefix}/NOBODY"), HttpStatusCode.BadRequest, "is not registered"),
            ($"GS1/01/{SchemeTestNames.Gtin(gcp, 6)}", AliasOf(alias), HttpStatusCode.BadRequest, "itself an alias"),
            (handle, AliasOf(alias), HttpStatusCode.BadRequest, "has aliases"),
            ($"{tenant.Prefix}/SELF", AliasOf($"{tenant.Prefix}/SELF"), HttpStatusCode.BadRequest, "alias of itself"),
            ($"GS1/01/{SchemeTestNames.Gtin(gcp, 7)}", $$"""{"values":[{"index":1,"type":"HS_ALIAS","data":"{{handle}}"},{"index":2,"type":"URL","data":"https://x"}]}""", HttpStatusCode.BadRequest, "holds only HS_ALIAS"),
            ($"GS1/01/{SchemeTestNames.Gtin(gcp, 8)}", AliasOf(otherHandle), HttpStatusCode.Forbidden, "does not belong"),
            ($"GS1/01/{SchemeTestNames.Gtin(gcp, 9)}", $$"""{"values":[{"index":1,"type":"HS_ALIAS","data":"{{handle}}","permissions":"1100"}]}""", HttpStatusCode.BadRequest, "is public"),
        };
        foreach (var (name, body, status, reason) in cases)
        {
            using var refused = await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{name}", body);
            var answer = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(status == refused.StatusCode, $"{name}: {(int)refused.StatusCode} {answer}");
            Assert.Contains(reason, answer.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var target = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{otherHandle}");
        Assert.False(target.TryGetProperty("aliases", out _));
    }

    [Fact]
    public async Task ARepeatedIndex_CannotSlipAnAliasPastThePermissionCheck_OverGrpc()
    {
        var (tenant, writer, _) = await EnterpriseWithCompanyPrefixAsync();
        var other = await Tenant.CreateAsync(Node);
        var (own, theirs, alias) = ($"{tenant.Prefix}/OWN", $"{other.Prefix}/SECRET", $"{tenant.Prefix}/ALIAS");
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{own}", Record("https://a.example"))).EnsureSuccessStatusCode();
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{theirs}", Record("https://b.example"))).EnsureSuccessStatusCode();
        (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{alias}", AliasOf(own))).EnsureSuccessStatusCode();
        var registry = new Contracts.V1.Registry.RegistryClient(Node.Channel);
        static HandleValue Alias(string target) => new() { Index = 1, Type = "HS_ALIAS", Data = Google.Protobuf.ByteString.CopyFromUtf8(target) };

        var refused = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => registry.UpdateHandleAsync(
            new UpdateHandleRequest { Handle = alias, Values = { Alias(own), Alias(theirs) } }, KeyRequests.Metadata(writer.Secret)).ResponseAsync);
        var target = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{theirs}");

        Assert.Equal(global::Grpc.Core.StatusCode.PermissionDenied, refused.StatusCode);
        Assert.False(target.TryGetProperty("aliases", out _));
        Assert.Equal(own, (await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{alias}")).GetProperty("handle").GetString());
    }

    [Fact]
    public async Task NamesRacingToAliasEachOther_NeverBothBecomeAliases()
    {
        var (tenant, writer, _) = await EnterpriseWithCompanyPrefixAsync();
        for (var round = 0; round < 8; round++)
        {
            var (x, y) = ($"{tenant.Prefix}/X-{round}", $"{tenant.Prefix}/Y-{round}");
            (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{x}", Record("https://x.example"))).EnsureSuccessStatusCode();
            (await Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{y}", Record("https://y.example"))).EnsureSuccessStatusCode();

            var answers = await Task.WhenAll(
                Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{x}", AliasOf(y)),
                Node.SendAsAsync(writer.Secret, HttpMethod.Put, $"/api/handles/{y}", AliasOf(x)));

            Assert.Equal(1, answers.Count(a => a.IsSuccessStatusCode));
            Assert.All(answers, a => Assert.True((int)a.StatusCode < 500, $"{(int)a.StatusCode}"));
            var resolvedX = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{x}");
            var resolvedY = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{y}");
            Assert.Equal(resolvedX.GetProperty("handle").GetString(), resolvedY.GetProperty("handle").GetString());
        }
    }

    private async Task<(Tenant Tenant, IssuedKey Writer, string CompanyPrefix)> EnterpriseWithCompanyPrefixAsync()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var gcp = SchemeTestNames.NewCompanyPrefix();
        await SchemeTestNames.AssignAsync(Node, tenant, "gs1:" + gcp);
        return (tenant, await tenant.IssueAsync(Node, "writer"), gcp);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using IdResolution.Contracts.V1;
using IdResolution.Core.Values;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Accounts;

/// <summary>Handle-style credentials and delegation: HTTP Basic as an admin identity, HS_ADMIN grants (direct and by group), short-lived tokens.</summary>
public sealed class DelegationTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private NodeServer Node => fixture.Node;

    [Fact]
    public async Task BasicIdentity_Authenticates_OverHttpAndGrpc_AndAWrongSecretFails()
    {
        var a = await Tenant.CreateAsync(Node);
        var identity = $"300:{a.Prefix}/admin";
        var key = await IssueAsync(a, "writer", identity);
        var other = await a.IssueAsync(Node, "writer");

        using var ok = await SendBasicAsync(identity, key.Secret, HttpMethod.Put, $"/api/handles/{a.Prefix}/BASIC-1", """[{"index":1,"type":"URL","data":"https://b.example"}]""");
        using var wrongSecret = await SendBasicAsync(identity, "idr_not-the-secret", HttpMethod.Get, $"/api/handles?prefix={a.Prefix}");
        using var otherKeysSecret = await SendBasicAsync(identity, other.Secret, HttpMethod.Get, $"/api/handles?prefix={a.Prefix}");
        using var notBase64 = await Node.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/handles?prefix={a.Prefix}") { Headers = { Authorization = new AuthenticationHeaderValue("Basic", "%%%") } });
        var grpc = await new Contracts.V1.Registry.RegistryClient(Node.Channel).ListHandlesAsync(
            new ListHandlesRequest { Prefix = a.Prefix }, new Metadata { { "authorization", "Basic " + Basic(identity, key.Secret) } });

        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherKeysSecret.StatusCode);
        Assert.Contains("not the key of identity", await otherKeysSecret.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, notBase64.StatusCode);
        Assert.Equal([$"{a.Prefix}/BASIC-1"], grpc.Handles);
    }

    [Fact]
    public async Task HsAdmin_DelegatesExactlyItsBits_ToTheIdentityItNames()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var alice = await IssueAsync(a, "reader", $"300:{a.Prefix}/alice");
        var plainReaderA = await a.IssueAsync(Node, "reader");
        var handle = $"{b.Prefix}/DELEGATED";
        var grant = new AdminValue($"{a.Prefix}/alice", 300, AdminPermissions.ModifyValue | AdminPermissions.AddValue | AdminPermissions.ReadValue).PermissionString();
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", Json(
            new { index = 1, type = "URL", data = (object)"https://b.example" },
            new { index = 2, type = "PRICE", data = (object)"42", permissions = "1100" },
            AdminJson(100, $"{a.Prefix}/alice", 300, grant)))).EnsureSuccessStatusCode();

        using var upsert = await Node.SendAsAsync(alice.Secret, HttpMethod.Put, $"/api/handles/{handle}?index=3", """[{"index":3,"type":"NOTE","data":"by alice"}]""");
        using var delete = await Node.SendAsAsync(alice.Secret, HttpMethod.Delete, $"/api/handles/{handle}");
        using var takeOver = await Node.SendAsAsync(alice.Secret, HttpMethod.Put, $"/api/handles/{handle}?index=101", Json(AdminJson(101, $"{a.Prefix}/alice", 300, "111111111111")));
        using var plain = await Node.SendAsAsync(plainReaderA.Secret, HttpMethod.Put, $"/api/handles/{handle}?index=4", """[{"index":4,"type":"NOTE","data":"x"}]""");
        var asAlice = await ReadAsync(alice.Secret, handle);
        var asPlain = await ReadAsync(plainReaderA.Secret, handle);

        Assert.Equal(HttpStatusCode.OK, upsert.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, takeOver.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, plain.StatusCode);
        Assert.Contains("PRICE", asAlice, StringComparison.Ordinal);
        Assert.Contains("by alice", asAlice, StringComparison.Ordinal);
        Assert.DoesNotContain("PRICE", asPlain, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhoAdministersAHandle_ChangesOnlyWithTheAdminBits()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var mallory = await IssueAsync(a, "reader", $"300:{a.Prefix}/mallory");
        var handle = $"{b.Prefix}/GUARDED";
        var valueBits = new AdminValue("x", 0, AdminPermissions.AddValue | AdminPermissions.ModifyValue | AdminPermissions.RemoveValue | AdminPermissions.ReadValue).PermissionString();
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", Json(
            new { index = 1, type = "URL", data = (object)"https://b.example" },
            AdminJson(100, $"{a.Prefix}/mallory", 300, valueBits),
            AdminJson(101, $"{b.Prefix}/boss", 300, "111111111111")))).EnsureSuccessStatusCode();
        var stored = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{handle}?auth=true");

        using var dropAdmins = await Node.SendAsAsync(mallory.Secret, HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://mallory.example"}]""");
        using var removeBoss = await Node.SendAsAsync(mallory.Secret, HttpMethod.Delete, $"/api/handles/{handle}?index=101");
        using var overwriteBoss = await Node.SendAsAsync(mallory.Secret, HttpMethod.Put, $"/api/handles/{handle}?index=101", """[{"index":101,"type":"URL","data":"x"}]""");
        using var joinGroup = await Node.SendAsAsync(mallory.Secret, HttpMethod.Put, $"/api/handles/{handle}?index=200", Json(
            new { index = 200, type = "HS_VLIST", data = (object)new { format = "vlist", value = new[] { new { handle = $"{a.Prefix}/mallory", index = 300 } } } }));
        using var putBack = await Node.SendAsAsync(mallory.Secret, HttpMethod.Put, $"/api/handles/{handle}", stored.GetProperty("values").GetRawText());
        using var ordinary = await Node.SendAsAsync(mallory.Secret, HttpMethod.Put, $"/api/handles/{handle}?index=1", """[{"index":1,"type":"URL","data":"https://changed.example"}]""");

        Assert.Equal(HttpStatusCode.Forbidden, dropAdmins.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, removeBoss.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, overwriteBoss.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, joinGroup.StatusCode);
        Assert.Equal(HttpStatusCode.OK, putBack.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ordinary.StatusCode);
        var after = await Node.Http.GetStringAsync($"/api/handles/{handle}?auth=true");
        Assert.Contains($"{b.Prefix}/boss", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HsAdmin_NamingAGroup_DelegatesToItsMembers()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var bob = await IssueAsync(a, "writer", $"300:{a.Prefix}/bob");
        var carol = await IssueAsync(a, "writer", $"300:{a.Prefix}/carol");
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{a.Prefix}/team", Json(
            new { index = 200, type = "HS_VLIST", data = (object)new { format = "vlist", value = new[] { new { handle = $"{a.Prefix}/bob", index = 300 } } } }))).EnsureSuccessStatusCode();
        var grant = new AdminValue($"{a.Prefix}/team", 200, AdminPermissions.DeleteHandle).PermissionString();
        foreach (var name in new[] { "G-1", "G-2" })
        {
            (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{b.Prefix}/{name}", Json(AdminJson(100, $"{a.Prefix}/team", 200, grant)))).EnsureSuccessStatusCode();
        }

        using var byMember = await Node.SendAsAsync(bob.Secret, HttpMethod.Delete, $"/api/handles/{b.Prefix}/G-1");
        using var byOutsider = await Node.SendAsAsync(carol.Secret, HttpMethod.Delete, $"/api/handles/{b.Prefix}/G-2");

        Assert.Equal(HttpStatusCode.OK, byMember.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOutsider.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync($"/api/handles/{b.Prefix}/G-2")).StatusCode);
    }

    [Fact]
    public async Task ThePrefixRecordsHsAdmin_DelegatesOverEveryHandleUnderThePrefix()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var dave = await IssueAsync(a, "writer", $"300:{a.Prefix}/dave");
        var writerB = await b.IssueAsync(Node, "writer");
        var bits = AdminPermissions.AddHandle | AdminPermissions.DeleteHandle | AdminPermissions.ListHandles | AdminPermissions.ReadValue;
        var record = $"0.NA/{b.Prefix}";
        using var byOwner = await Node.SendAsAsync(writerB.Secret, HttpMethod.Put, $"/api/handles/{record}", Json(
            new { index = 1, type = "URL", data = (object)"https://b.example/prefix" },
            AdminJson(100, $"{a.Prefix}/dave", 300, new AdminValue("x", 0, bits).PermissionString())));
        (await Node.SendAsAsync(writerB.Secret, HttpMethod.Put, $"/api/handles/{b.Prefix}/OLD", Json(
            new { index = 1, type = "URL", data = (object)"https://b.example/old" },
            new { index = 2, type = "PRICE", data = (object)"7", permissions = "1100" }))).EnsureSuccessStatusCode();

        using var create = await Node.SendAsAsync(dave.Secret, HttpMethod.Put, $"/api/handles/{b.Prefix}/NEW?overwrite=false", """[{"index":1,"type":"URL","data":"https://dave.example"}]""");
        using var list = await Node.SendAsAsync(dave.Secret, HttpMethod.Get, $"/api/handles?prefix={b.Prefix}");
        var restricted = await ReadAsync(dave.Secret, $"{b.Prefix}/OLD");
        using var modify = await Node.SendAsAsync(dave.Secret, HttpMethod.Put, $"/api/handles/{b.Prefix}/OLD?index=3", """[{"index":3,"type":"NOTE","data":"x"}]""");
        using var editRecord = await Node.SendAsAsync(dave.Secret, HttpMethod.Put, $"/api/handles/{record}?index=2", """[{"index":2,"type":"NOTE","data":"x"}]""");
        using var delete = await Node.SendAsAsync(dave.Secret, HttpMethod.Delete, $"/api/handles/{b.Prefix}/OLD");
        var resolved = await Node.Http.GetStringAsync($"/api/handles/{record}");

        Assert.Equal(HttpStatusCode.Created, byOwner.StatusCode);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("PRICE", restricted, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, modify.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, editRecord.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Contains("https://b.example/prefix", resolved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_CarryTheKeysRights_ExpireNoLaterThanIt_AndDieWithIt()
    {
        var a = await Tenant.CreateAsync(Node);
        var keyExpiry = DateTimeOffset.UtcNow.AddMinutes(30);
        var writer = await a.IssueAsync(Node, "writer", expiresAt: keyExpiry);

        using var issued = await Node.SendAsAsync(writer.Secret, HttpMethod.Post, "/auth/token", """{"ttlSeconds":7200}""");
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        using var used = await Node.SendAsAsync(token, HttpMethod.Put, $"/api/handles/{a.Prefix}/TOKEN-1", """[{"index":1,"type":"URL","data":"https://t.example"}]""");
        using var tooLong = await Node.SendAsAsync(writer.Secret, HttpMethod.Post, "/auth/token", """{"ttlSeconds":999999}""");
        using var anonymous = await Node.SendAsync(HttpMethod.Post, "/auth/token", authorised: false);

        (await Node.SendAsync(HttpMethod.Delete, $"/admin/keys/{writer.Id}")).EnsureSuccessStatusCode();
        using var afterRevoke = await Node.SendAsAsync(token, HttpMethod.Get, $"/api/handles?prefix={a.Prefix}");

        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal(keyExpiry.ToUnixTimeSeconds(), body.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal(HttpStatusCode.Created, used.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task Tokens_CannotMintTokens_NorLongerLivedKeys_NorComeFromARevokedKey()
    {
        var a = await Tenant.CreateAsync(Node);
        var admin = await a.IssueAsync(Node, "admin");
        using var issued = await Node.SendAsAsync(NodeServer.OperatorToken, HttpMethod.Post, "/auth/token", """{"ttlSeconds":60}""");
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>();
        var operatorToken = body.GetProperty("token").GetString()!;

        using var minted = await Node.SendAsAsync(operatorToken, HttpMethod.Post, "/admin/keys", """{"name":"forever","role":"operator"}""");
        using var fromToken = await Node.SendAsAsync(operatorToken, HttpMethod.Post, "/auth/token");
        // Revoked behind the node's back (as another node would): the cached check still passes, the registry does not.
        using var warm = await Node.SendAsAsync(admin.Secret, HttpMethod.Get, "/admin/keys");
        await fixture.Database.ExecuteAsync("UPDATE access_keys SET revoked_at = 1 WHERE id = @id", ("id", admin.Id));
        using var fromRevoked = await Node.SendAsAsync(admin.Secret, HttpMethod.Post, "/auth/token");

        Assert.Equal(body.GetProperty("expiresAt").GetDateTimeOffset(), (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.Forbidden, fromToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromRevoked.StatusCode);
    }

    [Fact]
    public async Task ARevokedIdentityKey_CanBeReplaced_AndBasicWorksWithoutUrlEncoding()
    {
        var a = await Tenant.CreateAsync(Node);
        var identity = $"300:{a.Prefix}/rotated";
        var first = await IssueAsync(a, "writer", identity);
        (await Node.SendAsync(HttpMethod.Delete, $"/admin/keys/{first.Id}")).EnsureSuccessStatusCode();

        var second = await IssueAsync(a, "writer", identity);
        var request = Node.Request(HttpMethod.Get, $"/api/handles?prefix={a.Prefix}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(identity + ":" + second.Secret)));
        using var plain = await Node.Http.SendAsync(request);
        using var old = await SendBasicAsync(identity, first.Secret, HttpMethod.Get, $"/api/handles?prefix={a.Prefix}");

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, old.StatusCode);
    }

    [Fact]
    public async Task AnIdentity_MustLiveUnderTheKeysEnterprise_AndHoldsOneKey()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        await IssueAsync(a, "writer", $"300:{a.Prefix}/once");

        using var twice = await IssueRawAsync(a, $"300:{a.Prefix}/once");
        using var foreign = await IssueRawAsync(a, $"300:{b.Prefix}/x");
        using var malformed = await IssueRawAsync(a, "admin-without-index");

        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task OneHandlesHsAdmin_DoesNotOpenItsPrefixToABulkImport()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var identity = $"300:{a.Prefix}/mallory";
        var mallory = await IssueAsync(a, "writer", identity);
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{b.Prefix}/SHARED", """[{"index":1,"type":"URL","data":"https://b.example"},{"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"PREFIX/mallory","index":300,"permissions":"111111111111"}}}]""".Replace("PREFIX", a.Prefix, StringComparison.Ordinal))).EnsureSuccessStatusCode();
        var csv = $"handle,1:URL\n{b.Prefix}/SHARED,https://m.example\n{b.Prefix}/EVIL-1,https://m.example\n0.NA/{b.Prefix},https://m.example\n";

        using var import = new HttpRequestMessage(HttpMethod.Post, "/api/import") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        import.Headers.Authorization = new AuthenticationHeaderValue("Bearer", mallory.Secret);
        using var imported = await Node.Http.SendAsync(import);
        var result = await imported.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(0, result.GetProperty("imported").GetInt32());
        Assert.Equal(3, result.GetProperty("failed").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/api/handles/{b.Prefix}/EVIL-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/api/handles/0.NA/{b.Prefix}")).StatusCode);
    }

    [Fact]
    public async Task ADelegateAllowedToList_ExportsOnlyWhatItMayRead()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var lister = await IssueAsync(a, "writer", $"300:{a.Prefix}/lister");
        var grant = """[{"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"PREFIX/lister","index":300,"permissions":"100000000000"}}}]""";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/0.NA/{b.Prefix}", grant.Replace("PREFIX", a.Prefix, StringComparison.Ordinal))).EnsureSuccessStatusCode();
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{b.Prefix}/PRICED", """[{"index":1,"type":"URL","data":"https://b.example"},{"index":2,"type":"PRICE","data":"42-secret","permissions":"1100"}]""")).EnsureSuccessStatusCode();

        using var export = Node.Request(HttpMethod.Get, $"/api/export?prefix={b.Prefix}");
        export.Headers.Authorization = new AuthenticationHeaderValue("Bearer", lister.Secret);
        using var exported = await Node.Http.SendAsync(export);
        var text = await exported.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, exported.StatusCode);
        Assert.Contains("https://b.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("42-secret", text, StringComparison.Ordinal);
    }

    private async Task<IssuedKey> IssueAsync(Tenant tenant, string role, string identity)
    {
        using var response = await Node.SendAsync(HttpMethod.Post, "/admin/keys", JsonSerializer.Serialize(new { name = identity, role, enterpriseId = tenant.Id, identity }));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(identity, body.GetProperty("identity").GetString());
        return new IssuedKey(body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
    }

    private Task<HttpResponseMessage> IssueRawAsync(Tenant tenant, string identity) =>
        Node.SendAsync(HttpMethod.Post, "/admin/keys", JsonSerializer.Serialize(new { name = "k", role = "writer", enterpriseId = tenant.Id, identity }));

    private async Task<string> ReadAsync(string key, string handle)
    {
        using var response = await Node.SendAsAsync(key, HttpMethod.Get, $"/api/handles/{handle}");
        return await response.Content.ReadAsStringAsync();
    }

    private static object AdminJson(int index, string handle, int adminIndex, string permissions) =>
        new { index, type = "HS_ADMIN", data = (object)new { format = "admin", value = new { handle, index = adminIndex, permissions } } };

    private static string Json(params object[] values) => JsonSerializer.Serialize(values);

    private static string Basic(string identity, string secret) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(identity) + ":" + secret));

    private Task<HttpResponseMessage> SendBasicAsync(string identity, string secret, HttpMethod method, string path, string? json = null)
    {
        var request = Node.Request(method, path, json);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Basic(identity, secret));
        return Node.Http.SendAsync(request);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Templates;

/// <summary>Versioned industry templates and the checks they put on every write, through the real server on PostgreSQL and Redis.</summary>
public sealed class TemplateTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private NodeServer Node => fixture.Node;

    private static string NewName() => "chem-" + Guid.NewGuid().ToString("N")[..8];

    private static string Template(string name, string version, bool extraRequired = false) => JsonSerializer.Serialize(new
    {
        name,
        version,
        industryCategory = "daily-use chemicals",
        fields = new List<object>
        {
            new { name = "productName", index = 2000, type = "string", required = true, minLength = 1, maxLength = 20 },
            new { name = "netContent", index = 2001, type = "decimal", min = 0, max = 5000, unit = "ml" },
            new { name = "grade", index = 2002, type = "enum", values = new[] { "A", "B" } },
            new { name = "licence", index = 2003, type = "string", pattern = "XK[0-9]{3}-[0-9]{6}" },
            new { name = "productionDate", index = 2004, type = "date" },
        }.Concat(extraRequired ? [new { name = "recycleCode", index = 2005, type = "integer", required = true }] : []).ToList(),
    });

    private static string Record(string reference, params (int Index, string Type, string Data)[] values) => JsonSerializer.Serialize(new
    {
        values = new[] { new { index = 1001, type = "TEMPLATE", data = reference } }
            .Concat(values.Select(v => new { index = v.Index, type = v.Type, data = v.Data })),
    });

    [Fact]
    public async Task APublishedTemplate_ChecksEveryWrite_AndReportsEveryBrokenRuleWithItsField()
    {
        var name = NewName();
        using var draft = await Node.SendAsync(HttpMethod.Post, "/api/templates", Template(name, "1.0"));
        var handle = $"{NodeFixture.EnterprisePrefix}/TPL-{Guid.NewGuid():N}";
        using var beforePublish = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", Record($"{name}@1.0", (2000, "productName", "Shampoo")));
        using var published = await Node.SendAsync(HttpMethod.Post, $"/api/templates/{name}/1.0/publish");
        using var good = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", Record($"{name}@1.0", (2000, "productName", "Shampoo"), (2001, "netContent", "500"), (2002, "grade", "A"), (2003, "licence", "XK123-456789"), (2004, "productionDate", "2026-03-17")));
        using var bad = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}-BAD", Record($"{name}@1.0", (2001, "netContent", "lots"), (2002, "grade", "C"), (2003, "licence", "XK1-1"), (2004, "productionDate", "17/03/2026"), (2009, "colour", "red")));
        var violations = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("violations").EnumerateArray()
            .Select(v => (v.GetProperty("field").GetString(), v.GetProperty("rule").GetString())).ToList();

        Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, beforePublish.StatusCode);
        Assert.Contains("is not published", await beforePublish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(
            [("productName", "required"), ("netContent", "decimal"), ("grade", "enum"), ("licence", "pattern"), ("productionDate", "date"), ("colour", "unknown")],
            violations);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/api/handles/{handle}-BAD")).StatusCode);
    }

    [Fact]
    public async Task PublishedVersionsNeverChange_AndANewVersionLeavesIdentifiersOfTheOldOneValid()
    {
        var name = NewName();
        (await Node.SendAsync(HttpMethod.Post, "/api/templates?publish=true", Template(name, "1.0"))).EnsureSuccessStatusCode();
        var handle = $"{NodeFixture.EnterprisePrefix}/TPL-{Guid.NewGuid():N}";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", Record($"{name}@1.0", (2000, "productName", "Soap")))).EnsureSuccessStatusCode();

        using var change = await Node.SendAsync(HttpMethod.Put, $"/api/templates/{name}/1.0", Template(name, "1.0", extraRequired: true));
        using var delete = await Node.SendAsync(HttpMethod.Delete, $"/api/templates/{name}/1.0");
        using var again = await Node.SendAsync(HttpMethod.Post, "/api/templates", Template(name, "1.0"));
        (await Node.SendAsync(HttpMethod.Post, "/api/templates?publish=true", Template(name, "2.0", extraRequired: true))).EnsureSuccessStatusCode();
        using var oldStillValid = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}?index=2000", """[{"index":2000,"type":"productName","data":"Soap bar"}]""");
        using var newNeedsMore = await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}-2", Record($"{name}@2.0", (2000, "productName", "Soap")));
        var listed = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/templates?name={name}");

        Assert.Equal(HttpStatusCode.BadRequest, change.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, oldStillValid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, newNeedsMore.StatusCode);
        Assert.Contains("recycleCode", await newNeedsMore.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal([("1.0", "published"), ("2.0", "published")], listed.GetProperty("templates").EnumerateArray().Select(t => (t.GetProperty("version").GetString(), t.GetProperty("status").GetString())));
    }

    [Fact]
    public async Task EnterpriseAdmins_DefineTheirOwnTemplates_AndNoOneElses()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var (adminA, adminB, writerA) = (await a.IssueAsync(Node, "admin"), await b.IssueAsync(Node, "admin"), await a.IssueAsync(Node, "writer"));
        var name = NewName();

        using var own = await Node.SendAsAsync(adminA.Secret, HttpMethod.Post, "/api/templates", Template(name, "1.0"));
        using var othersVersion = await Node.SendAsAsync(adminB.Secret, HttpMethod.Post, "/api/templates", Template(name, "1.1"));
        using var othersPublish = await Node.SendAsAsync(adminB.Secret, HttpMethod.Post, $"/api/templates/{name}/1.0/publish");
        using var writer = await Node.SendAsAsync(writerA.Secret, HttpMethod.Post, "/api/templates", Template(NewName(), "1.0"));
        using var anonymous = await Node.SendAsync(HttpMethod.Post, "/api/templates", Template(NewName(), "1.0"), authorised: false);
        using var squat = await Node.SendAsAsync(adminA.Secret, HttpMethod.Post, "/api/templates", Template(b.Prefix, "1.0"));
        using var ownPrefixName = await Node.SendAsAsync(adminB.Secret, HttpMethod.Post, "/api/templates", Template(b.Prefix, "1.0"));
        using var publish = await Node.SendAsAsync(adminA.Secret, HttpMethod.Post, $"/api/templates/{name}/1.0/publish");
        var readByAnyone = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/templates/{name}/1.0");

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, othersVersion.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, othersPublish.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, writer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, squat.StatusCode);
        Assert.Equal(HttpStatusCode.Created, ownPrefixName.StatusCode);
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        Assert.Equal(a.Id, readByAnyone.GetProperty("enterpriseId").GetInt64());
        Assert.Equal(5, readByAnyone.GetProperty("fields").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"name":"x","version":"1.0","fields":[{"name":"a","index":1999,"type":"string"}]}""", "below 2000")]
    [InlineData("""{"name":"x","version":"1.0","fields":[{"name":"a","index":2000,"type":"colour"}]}""", "fields[0].type")]
    [InlineData("""{"name":"x","version":"1.0","fields":[{"name":"a","index":2000,"type":"enum"}]}""", "needs its values")]
    [InlineData("""{"name":"x","version":"1.0","fields":[{"name":"a","index":2000,"type":"string","pattern":"(["}]}""", "not a valid regular expression")]
    [InlineData("""{"name":"x y","version":"1.0","fields":[{"name":"a","index":2000,"type":"string"}]}""", "template name")]
    [InlineData("""{"name":"x","version":"1.0","fields":[{"name":"a","index":2000,"type":"string"},{"name":"a","index":2001,"type":"string"}]}""", "used twice")]
    public async Task BadTemplates_AreRefused_SayingWhy(string body, string reason)
    {
        using var refused = await Node.SendAsync(HttpMethod.Post, "/api/templates", body);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(reason, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcWrites_CarryTheViolationsAsFieldViolations()
    {
        var name = NewName();
        (await Node.SendAsync(HttpMethod.Post, "/api/templates?publish=true", Template(name, "1.0"))).EnsureSuccessStatusCode();
        var registry = new Contracts.V1.Registry.RegistryClient(Node.Channel);
        var request = new CreateHandleRequest
        {
            Handle = $"{NodeFixture.EnterprisePrefix}/TPL-{Guid.NewGuid():N}",
            Values =
            {
                new HandleValue { Index = 1001, Type = "TEMPLATE", Data = ByteString.CopyFromUtf8($"{name}@1.0") },
                new HandleValue { Index = 2002, Type = "grade", Data = ByteString.CopyFromUtf8("Z") },
            },
        };

        var refused = await Assert.ThrowsAsync<RpcException>(() => registry.CreateHandleAsync(request, Node.OperatorMetadata()).ResponseAsync);
        var details = Google.Rpc.Status.Parser.ParseFrom(refused.Trailers.GetValueBytes("grpc-status-details-bin"));
        var badRequest = details.Details.Single(d => d.Is(Google.Rpc.BadRequest.Descriptor)).Unpack<Google.Rpc.BadRequest>();

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal([("productName", "required"), ("grade", "enum")], badRequest.FieldViolations.Select(v => (v.Field, v.Reason)));
    }
}

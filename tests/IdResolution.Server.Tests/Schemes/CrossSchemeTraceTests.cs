using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Schemes;

public sealed class PostgresCrossSchemeTraceTests(PostgresNodeFixture fixture) : CrossSchemeTraceTests(fixture), IClassFixture<PostgresNodeFixture>;

public sealed class SqliteCrossSchemeTraceTests(SqliteNodeFixture fixture) : CrossSchemeTraceTests(fixture), IClassFixture<SqliteNodeFixture>;

/// <summary>Events captured under any name of an object (handle, GTIN + serial as URN or Digital Link URI) belong to its one history.</summary>
public abstract class CrossSchemeTraceTests(NodeFixture fixture)
{
    private NodeServer Node => fixture.Node;

    private static Dictionary<string, object?> Event(string type, string at, Dictionary<string, object?> fields)
    {
        var e = new Dictionary<string, object?> { ["type"] = type, ["eventTime"] = at, ["eventTimeZoneOffset"] = "+08:00" };
        foreach (var (k, v) in fields)
        {
            e[k] = v;
        }

        return e;
    }

    private static string Document(params Dictionary<string, object?>[] events) => JsonSerializer.Serialize(new
    {
        type = "EPCISDocument",
        schemaVersion = "2.0",
        creationDate = "2026-03-17T12:00:00Z",
        epcisBody = new { eventList = events },
    });

    [Fact]
    public async Task EventsUnderTheGs1Name_BeforeAndAfterItBecameAnAlias_ShowInTheHandlesTraceStateAndEvents()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var gcp = SchemeTestNames.NewCompanyPrefix();
        await SchemeTestNames.AssignAsync(Node, tenant, "gs1:" + gcp);
        var gtin = SchemeTestNames.Gtin(gcp, 42);
        var (ingredient, product) = ($"{tenant.Prefix}/INGREDIENT-1", $"{tenant.Prefix}/PRODUCT-S1");
        var digitalLink = $"https://id.gs1.org/01/{gtin}/21/S1";
        var urn = $"urn:epc:id:sgtin:{gcp}.0042.S1";

        // Made from the ingredient, named by its Digital Link URI, before anyone said it is the product handle.
        (await Node.SendAsync(HttpMethod.Post, "/epcis/capture", Document(
            Event("TransformationEvent", "2026-03-17T08:00:00+08:00", new() { ["inputEPCList"] = new[] { ingredient }, ["outputEPCList"] = new[] { digitalLink } }),
            Event("ObjectEvent", "2026-03-17T08:10:00+08:00", new() { ["action"] = "OBSERVE", ["epcList"] = new[] { product }, ["bizStep"] = "packing", ["disposition"] = "in_progress" })))).EnsureSuccessStatusCode();
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{product}", """{"values":[{"index":1,"type":"URL","data":"https://a.example/p"}]}""")).EnsureSuccessStatusCode();
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/GS1/01/{gtin}/21/S1", $$"""{"values":[{"index":1,"type":"HS_ALIAS","data":"{{product}}"}]}""")).EnsureSuccessStatusCode();
        // Shipped later, scanned as an EPC URN.
        (await Node.SendAsync(HttpMethod.Post, "/epcis/capture", Document(
            Event("ObjectEvent", "2026-03-17T09:00:00+08:00", new() { ["action"] = "OBSERVE", ["epcList"] = new[] { urn }, ["bizStep"] = "shipping", ["disposition"] = "in_transit" })))).EnsureSuccessStatusCode();

        var back = await NodesAsync($"/epcis/trace/back?epc={product}");
        var backFromUrn = await NodesAsync($"/epcis/trace/back?epc={urn}");
        var forward = await NodesAsync($"/epcis/trace/forward?epc={ingredient}");
        var state = await Node.Http.GetFromJsonAsync<JsonElement>($"/epcis/state/{Uri.EscapeDataString(digitalLink)}");
        var events = await EventsAsync($"/epcis/epcs/{product}");
        var lifecycle = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/GS1/01/{gtin}/21/S1?lifecycle=true");

        Assert.Equal([product, ingredient], back);
        Assert.Equal(back, backFromUrn);
        Assert.Equal([ingredient, product], forward);
        Assert.Equal("in_transit", state.GetProperty("disposition").GetString());
        Assert.Equal(["TransformationEvent", "ObjectEvent", "ObjectEvent"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(product, lifecycle.GetProperty("handle").GetString());
        Assert.Equal("in_transit", lifecycle.GetProperty("lifecycle").GetProperty("disposition").GetString());
    }

    [Fact]
    public async Task RecallingThroughAnAlias_NeedsTheRightsOfTheRecordItStandsFor()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var gcp = SchemeTestNames.NewCompanyPrefix();
        await SchemeTestNames.AssignAsync(Node, a, "gs1:" + gcp);
        var writerA = await a.IssueAsync(Node, "writer");
        var (theirs, alias) = ($"{b.Prefix}/PALLET-1", $"GS1/00/{SchemeTestNames.Sscc(gcp, 7)}");
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{theirs}", """{"values":[{"index":1,"type":"URL","data":"https://b.example"}]}""")).EnsureSuccessStatusCode();
        // The operators tie A's SSCC to B's pallet (a shipment handed over): A still cannot recall B's pallet through it.
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{alias}", $$"""{"values":[{"index":1,"type":"HS_ALIAS","data":"{{theirs}}"}]}""")).EnsureSuccessStatusCode();

        using var capture = await Node.SendAsAsync(writerA.Secret, HttpMethod.Post, "/epcis/capture", Document(
            Event("ObjectEvent", "2026-03-17T09:00:00+08:00", new() { ["action"] = "OBSERVE", ["epcList"] = new[] { alias }, ["disposition"] = "recalled" })));
        using var recall = await Node.SendAsAsync(writerA.Secret, HttpMethod.Post, "/epcis/recall", JsonSerializer.Serialize(new { epc = alias }));
        using var state = await Node.Http.GetAsync($"/epcis/state/{theirs}");

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, capture.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, recall.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, state.StatusCode);
    }

    private async Task<List<string>> NodesAsync(string path)
    {
        var graph = await Node.Http.GetFromJsonAsync<JsonElement>(path);
        return [.. graph.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!)];
    }

    private async Task<List<JsonElement>> EventsAsync(string path)
    {
        var body = await Node.Http.GetFromJsonAsync<JsonElement>(path);
        return [.. body.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList").EnumerateArray()];
    }
}

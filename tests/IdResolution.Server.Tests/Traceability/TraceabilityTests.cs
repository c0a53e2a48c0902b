using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Traceability;

public sealed class PostgresTraceabilityTests(PostgresNodeFixture fixture) : TraceabilityTests(fixture), IClassFixture<PostgresNodeFixture>;

public sealed class SqliteTraceabilityTests(SqliteNodeFixture fixture) : TraceabilityTests(fixture), IClassFixture<SqliteNodeFixture>;

/// <summary>The supply chain captured, queried, traced and recalled through the real node, on each registry.</summary>
public abstract class TraceabilityTests(NodeFixture fixture)
{
    private NodeServer Node => fixture.Node;

    private SupplyChain Chain { get; } = new(NodeFixture.EnterprisePrefix);

    [Fact]
    public async Task ADocument_IsStoredOnce_AndSendingItAgainStoresNothing()
    {
        var document = Chain.Document(Chain.Events());
        var first = await CaptureAsync(document);
        var again = await CaptureAsync(document);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(16, first.Body.GetProperty("stored").GetInt32());
        Assert.Equal(0, again.Body.GetProperty("stored").GetInt32());
        Assert.Equal(16, again.Body.GetProperty("duplicates").GetInt32());
        Assert.Equal(16, (await EventsAsync($"/epcis/events?MATCH_anyEPC={Chain.RawA1}|{Chain.RawB1}|{Chain.Mix2}|{Chain.Bottle(1)}|{Chain.Case(1)}|{Chain.Case(2)}|{Chain.Case(3)}|{Chain.Case(4)}|{Chain.Pallet(1)}|{Chain.Pallet(2)}&perPage=1000")).Count);
    }

    [Theory]
    [InlineData("eventTime", "not a time", "eventList[2].eventTime")]
    [InlineData("type", "SomethingEvent", "eventList[2].type")]
    [InlineData("eventTimeZoneOffset", "+8", "eventList[2].eventTimeZoneOffset")]
    [InlineData("disposition", "fine", "eventList[2].disposition")]
    [InlineData("inputEPCList", "no list", "eventList[2].inputEPCList")]
    public async Task OneBadEvent_RefusesTheWholeDocument_NamingTheEventAndField(string field, string value, string named)
    {
        var events = Chain.Events();
        events[2][field] = value;
        var answer = await CaptureAsync(Chain.Document(events));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.StartsWith(named, answer.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await EventsAsync($"/epcis/epcs/{Chain.RawA1}"));
    }

    [Fact]
    public async Task Queries_FollowTheStandardParameters_AndPageWithoutGapsOrRepeats()
    {
        await CaptureAsync(Chain.Document(Chain.Events()));

        var bottle = await EventsAsync($"/epcis/events?MATCH_epc={Chain.Bottle(1)}");
        var asOutput = await EventsAsync($"/epcis/events?MATCH_outputEPC={Chain.Bottle(1)}");
        var asParent = await EventsAsync($"/epcis/events?MATCH_parentID={Chain.Pallet(1)}");
        var shipping = await EventsAsync($"/epcis/events?EQ_bizStep=shipping&MATCH_anyEPC={Chain.Pallet(1)}");
        var received = await EventsAsync($"/epcis/events?EQ_bizLocation={Chain.DistributorSite}&EQ_disposition=sellable_not_accessible");
        var window = await EventsAsync($"/epcis/events?MATCH_anyEPC={Chain.Pallet(1)}&GE_eventTime=2026-03-17T08:40:00%2B08:00&LT_eventTime=2026-03-17T09:00:00%2B08:00");
        var transformations = await EventsAsync($"/epcis/events?eventType=TransformationEvent&MATCH_inputEPC={Chain.RawB1}");

        Assert.Equal(["AggregationEvent", "ObjectEvent"], bottle.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("retail_sold", bottle[1].GetProperty("disposition").GetString());
        Assert.Single(asOutput);
        Assert.Equal(["ADD", "DELETE"], asParent.Select(e => e.GetProperty("action").GetString()));
        Assert.Single(shipping);
        Assert.Single(received);
        Assert.Equal(2, window.Count);
        Assert.Equal(2, transformations.Count);
        Assert.True(bottle[0].TryGetProperty("recordTime", out _));

        var all = await EventsAsync($"/epcis/epcs/{Chain.Pallet(1)}");
        var paged = new List<string>();
        var next = $"/epcis/epcs/{Chain.Pallet(1)}?perPage=2";
        var pages = 0;
        while (next is not null)
        {
            using var page = await Node.Http.GetAsync(next);
            var events = (await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList");
            paged.AddRange(events.EnumerateArray().Select(e => e.GetProperty("eventID").GetString()!));
            next = page.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
            pages++;
        }

        Assert.Equal(all.Select(e => e.GetProperty("eventID").GetString()), paged);
        Assert.True(pages >= 3);
    }

    [Fact]
    public async Task TraceBackAndForward_FollowTransformationsAndAggregations_ExactlyAndWithinTheDepth()
    {
        await CaptureAsync(Chain.Document(Chain.Events()));

        var back = await TraceAsync("back", Chain.Bottle(1));
        var forward = await TraceAsync("forward", Chain.RawA1);
        var shallow = await TraceAsync("forward", Chain.RawA1, depth: 1);
        var graph = await Node.Http.GetFromJsonAsync<JsonElement>($"/epcis/trace/back?epc={Chain.Bottle(1)}");

        Assert.Equal(Set(Chain.Bottle(1), Chain.Mix1, Chain.RawA1, Chain.RawB1), back);
        Assert.Equal(Set(Chain.RawA1, Chain.Mix1, Chain.Bottle(1), Chain.Bottle(2), Chain.Bottle(3), Chain.Bottle(4), Chain.Case(1), Chain.Case(2), Chain.Pallet(1), Chain.Pallet(2)), forward);
        Assert.Equal(Set(Chain.RawA1, Chain.Mix1), shallow);
        Assert.Contains(graph.GetProperty("edges").EnumerateArray(), e => e.GetProperty("from").GetString() == Chain.Mix1 && e.GetProperty("to").GetString() == Chain.Bottle(1)
            && e.GetProperty("type").GetString() == "TransformationEvent");
        Assert.Equal("retail_sold", graph.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == Chain.Bottle(1)).GetProperty("disposition").GetString());
    }

    [Fact]
    public async Task Lifecycle_IsTheLatestStateOfEachKind()
    {
        var events = Chain.Events();
        // Captured out of order: the late-arriving older event must not overwrite newer state.
        events.Reverse();
        await CaptureAsync(Chain.Document(events));

        var sold = await StateAsync(Chain.Bottle(1));
        var pallet = await StateAsync(Chain.Pallet(2));
        var atShop = await StateAsync(Chain.Case(1));

        Assert.Equal("retail_sold", sold.GetProperty("disposition").GetString());
        Assert.Equal("sellable_not_accessible", pallet.GetProperty("disposition").GetString());
        Assert.Equal(Chain.DistributorSite, pallet.GetProperty("location").GetString());
        Assert.Equal(Chain.Distributor, pallet.GetProperty("custodian").GetString());
        Assert.Equal(Chain.Shop, atShop.GetProperty("location").GetString());
    }

    [Fact]
    public async Task ARecallOfOneRawLot_ReachesExactlyItsProducts_AndMarksThemRecalled()
    {
        await CaptureAsync(Chain.Document(Chain.Events()));
        var handle = Chain.Bottle(2);
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://shampoo.example/b2"}]""")).EnsureSuccessStatusCode();

        using var recall = await Node.SendAsync(HttpMethod.Post, "/epcis/recall", JsonSerializer.Serialize(new { epc = Chain.RawA1, reason = "contaminated lot" }));
        var answer = await recall.Content.ReadFromJsonAsync<JsonElement>();
        var reached = answer.GetProperty("impact").GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToHashSet();
        var resolved = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{handle}?lifecycle=true");
        var untouched = await StateAsync(Chain.Bottle(5));

        Assert.Equal(HttpStatusCode.OK, recall.StatusCode);
        Assert.Equal(Set(Chain.RawA1, Chain.Mix1, Chain.Bottle(1), Chain.Bottle(2), Chain.Bottle(3), Chain.Bottle(4), Chain.Case(1), Chain.Case(2), Chain.Pallet(1), Chain.Pallet(2)), reached);
        Assert.Equal("recalled", (await StateAsync(Chain.Pallet(2))).GetProperty("disposition").GetString());
        Assert.Equal("recalled", resolved.GetProperty("lifecycle").GetProperty("disposition").GetString());
        Assert.Equal("https://shampoo.example/b2", resolved.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString());
        Assert.NotEqual("recalled", untouched.GetProperty("disposition").GetString());
        Assert.Contains(answer.GetProperty("impact").GetProperty("nodes").EnumerateArray(),
            n => n.GetProperty("id").GetString() == Chain.Pallet(2) && n.GetProperty("location").GetString() == Chain.DistributorSite);
    }

    [Fact]
    public async Task AnErrorDeclaration_RemovesAnEventFromTheState()
    {
        var events = Chain.Events();
        await CaptureAsync(Chain.Document(events));
        var sold = events[^1];
        sold["errorDeclaration"] = new { declarationTime = "2026-03-18T00:00:00Z", reason = "incorrect_data" };

        var corrected = await CaptureAsync(Chain.Document([sold]));

        Assert.Equal(1, corrected.Body.GetProperty("corrected").GetInt32());
        Assert.Equal("container_closed", (await StateAsync(Chain.Bottle(1))).GetProperty("disposition").GetString());
    }

    [Fact]
    public async Task OverGrpc_CaptureQueryTraceAndLifecycle_MatchHttp()
    {
        var client = new Contracts.V1.Trace.TraceClient(Node.Channel);
        var request = new Contracts.V1.CaptureRequest();
        request.EventsJson.AddRange(Chain.Events().Select(e => JsonSerializer.Serialize(e)));
        using var captured = new NodeMetric(Node, "idres.epcis.events", "idres.outcome", "stored");

        var capture = await client.CaptureAsync(request, Node.OperatorMetadata());
        var query = new Contracts.V1.QueryEventsRequest { PerPage = 3 };
        query.MatchAnyEpc.Add(Chain.Pallet(1));
        var ids = new List<string>();
        do
        {
            var page = await client.QueryEventsAsync(query);
            ids.AddRange(page.EventsJson.Select(j => JsonDocument.Parse(j).RootElement.GetProperty("eventID").GetString()!));
            query.PageToken = page.NextPageToken;
        }
        while (query.PageToken.Length > 0);
        var forward = await client.TraceForwardAsync(new Contracts.V1.TraceRequest { Epc = Chain.RawA1 });
        var lifecycle = await client.GetLifecycleAsync(new Contracts.V1.LifecycleRequest { Epc = Chain.Bottle(1) });

        Assert.Equal(16u, capture.Stored);
        Assert.Equal(16, captured.Total);
        Assert.Equal((await EventsAsync($"/epcis/epcs/{Chain.Pallet(1)}")).Select(e => e.GetProperty("eventID").GetString()), ids);
        Assert.Equal(await TraceAsync("forward", Chain.RawA1), forward.Nodes.Select(n => n.Id).ToHashSet());
        Assert.Equal("retail_sold", lifecycle.Disposition);
    }

    [Fact]
    public async Task OverGrpc_ErrorsAreStatuses()
    {
        var client = new Contracts.V1.Trace.TraceClient(Node.Channel);
        var bad = new Contracts.V1.CaptureRequest { EventsJson = { JsonSerializer.Serialize(Chain.Events()[0]), """{"type":"ObjectEvent"}""" } };
        var tenant = await Tenant.CreateAsync(Node);
        var reader = await tenant.IssueAsync(Node, "reader");

        var invalid = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => client.CaptureAsync(bad, Node.OperatorMetadata()).ResponseAsync);
        var denied = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => client.CaptureAsync(new Contracts.V1.CaptureRequest(), KeyRequests.Metadata(reader.Secret)).ResponseAsync);
        var missing = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => client.GetLifecycleAsync(new Contracts.V1.LifecycleRequest { Epc = Chain.Name("NOWHERE") }).ResponseAsync);
        var badToken = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => client.QueryEventsAsync(new Contracts.V1.QueryEventsRequest { PageToken = "%%%" }).ResponseAsync);

        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.StartsWith("events_json[1].eventTime", invalid.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(global::Grpc.Core.StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(global::Grpc.Core.StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, badToken.StatusCode);
        Assert.Empty(await EventsAsync($"/epcis/epcs/{Chain.RawA1}"));
    }

    [Theory]
    [InlineData("/epcis/events?perPage=0")]
    [InlineData("/epcis/events?perPage=abc")]
    [InlineData("/epcis/events?nextPageToken=bm9wZQ")]
    [InlineData("/epcis/events?GE_eventTime=yesterday")]
    [InlineData("/epcis/events?EQ_bizStep=dancing")]
    [InlineData("/epcis/events?eventType=PartyEvent")]
    [InlineData("/epcis/events?MATCH_epc=not%20a%20name")]
    [InlineData("/epcis/events?orderBy=eventTime")]
    [InlineData("/epcis/trace/forward")]
    [InlineData("/epcis/trace/forward?epc=88.118.8.1001/x&depth=0")]
    [InlineData("/epcis/trace/back?epc=88.118.8.1001/x&maxNodes=1000000")]
    [InlineData("/epcis/state/not%20a%20name")]
    [InlineData("/epcis/events?eventType=1")]
    [InlineData("/epcis/events?GE_eventTime=2026-03-17T08:00:00")]
    [InlineData("/epcis/events?MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*")]
    public async Task BadQueries_AreProblems_NotFailures(string path)
    {
        using var response = await Node.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task CaptureNeedsAWritingKey()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var reader = await tenant.IssueAsync(Node, "reader");
        var document = Chain.Document(Chain.Events());

        using var anonymous = await Node.SendAsync(HttpMethod.Post, "/epcis/capture", document, authorised: false);
        using var asReader = await Node.SendAsAsync(reader.Secret, HttpMethod.Post, "/epcis/capture", document);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asReader.StatusCode);
        Assert.Empty(await EventsAsync($"/epcis/epcs/{Chain.RawA1}"));
    }

    [Fact]
    public async Task OnlyTheCapturingEnterprise_DeclaresItsEventsErroneous()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var (writerA, writerB) = (await a.IssueAsync(Node, "writer"), await b.IssueAsync(Node, "writer"));
        var events = Chain.Events();
        using var captured = await Node.SendAsAsync(writerA.Secret, HttpMethod.Post, "/epcis/capture", Chain.Document(events));
        var sold = events[^1];
        sold["errorDeclaration"] = new { declarationTime = "2026-03-18T00:00:00Z", reason = "incorrect_data" };
        sold["epcList"] = new[] { Chain.Bottle(7) };

        using var byB = await Node.SendAsAsync(writerB.Secret, HttpMethod.Post, "/epcis/capture", Chain.Document([sold]));
        using var byA = await Node.SendAsAsync(writerA.Secret, HttpMethod.Post, "/epcis/capture", Chain.Document([sold]));
        var stored = await Node.Http.GetFromJsonAsync<JsonElement>($"/epcis/events/{Uri.EscapeDataString((string)sold["eventID"]!)}");

        Assert.Equal(HttpStatusCode.Created, captured.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byB.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byA.StatusCode);
        // The event stays as captured, with the declaration added.
        Assert.Equal(Chain.Bottle(1), stored.GetProperty("epcList")[0].GetString());
        Assert.Equal("incorrect_data", stored.GetProperty("errorDeclaration").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AnErroneousAggregation_LeavesTheGenealogy_AndADeclarationFindsAnEventSentWithoutId()
    {
        var events = Chain.Events();
        var packing = events[9];
        packing.Remove("eventID");
        await CaptureAsync(Chain.Document(events));
        packing["errorDeclaration"] = new { declarationTime = "2026-03-18T00:00:00Z" };

        var corrected = await CaptureAsync(Chain.Document([packing]));
        var forward = await TraceAsync("forward", Chain.Case(1));

        Assert.Equal(1, corrected.Body.GetProperty("corrected").GetInt32());
        Assert.DoesNotContain(Chain.Pallet(1), forward);
    }

    [Fact]
    public async Task SendingTheSameDocumentConcurrently_StoresItOnce_WithoutFailures()
    {
        var document = Chain.Document(Chain.Events());
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CaptureAsync(document)));

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created, $"answered {a.Status}: {a.Body}"));
        Assert.Equal(16, answers.Sum(a => a.Body.GetProperty("stored").GetInt32()));
        Assert.Equal("retail_sold", (await StateAsync(Chain.Bottle(1))).GetProperty("disposition").GetString());
    }

    [Fact]
    public async Task OversizedGenealogy_DuplicateMembers_AndBadRecallDepth_AreRefused()
    {
        var inputs = Enumerable.Range(0, 400).Select(i => Chain.Name($"IN-{i}")).ToArray();
        var outputs = Enumerable.Range(0, 400).Select(i => Chain.Name($"OUT-{i}")).ToArray();
        var huge = new Dictionary<string, object?>
        {
            ["type"] = "TransformationEvent",
            ["eventTime"] = "2026-03-17T08:00:00Z",
            ["eventTimeZoneOffset"] = "+00:00",
            ["inputEPCList"] = inputs,
            ["outputEPCList"] = outputs,
        };
        var links = await CaptureAsync(Chain.Document([huge]));
        using var duplicate = await Node.SendAsync(HttpMethod.Post, "/epcis/events", """{"type":"ObjectEvent","type":"ObjectEvent","action":"ADD","eventTime":"2026-03-17T08:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["88.118.8.1001/x"]}""");
        using var depth = await Node.SendAsync(HttpMethod.Post, "/epcis/recall", JsonSerializer.Serialize(new { epc = Chain.RawA1, depth = "5" }));

        Assert.Equal(HttpStatusCode.BadRequest, links.Status);
        Assert.Contains("inputs x outputs", links.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, depth.StatusCode);
    }

    [Fact]
    public async Task ObjectsWithSlashesInUris_ReadTheSame_RawOrEncoded()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var plain = $"https://id.gs1.org/01/09506000134352/21/AB-{run}";
        var withSlash = $"https://id.gs1.org/01/09506000134352/21/A%2FB-{run}";
        var e = new Dictionary<string, object?>
        {
            ["type"] = "ObjectEvent",
            ["action"] = "ADD",
            ["eventTime"] = "2026-03-17T08:00:00Z",
            ["eventTimeZoneOffset"] = "+00:00",
            ["epcList"] = new[] { plain, withSlash },
            ["disposition"] = "active",
        };
        await CaptureAsync(Chain.Document([e]));

        using var raw = await Node.Http.GetAsync($"/epcis/state/{plain}");
        using var encodedPlain = await Node.Http.GetAsync($"/epcis/state/{Uri.EscapeDataString(plain)}");
        using var encodedSlash = await Node.Http.GetAsync($"/epcis/state/{Uri.EscapeDataString(withSlash)}");
        var events = await EventsAsync($"/epcis/epcs/{Uri.EscapeDataString(withSlash)}");

        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal(HttpStatusCode.OK, encodedPlain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, encodedSlash.StatusCode);
        Assert.Single(events);
    }

    [Fact]
    public async Task TransformationsSharingAnId_AreOneTransformation_ForTraceAndRecall()
    {
        var id = "urn:uuid:" + Guid.NewGuid();
        var (lot, product) = (Chain.Name("TX-LOT"), Chain.Name("TX-PRODUCT"));
        Dictionary<string, object?> Part(string list, string epc) => new()
        {
            ["type"] = "TransformationEvent",
            ["eventTime"] = "2026-03-17T08:00:00Z",
            ["eventTimeZoneOffset"] = "+00:00",
            ["transformationID"] = id,
            [list] = new[] { epc },
        };

        // Inputs told first, outputs later, in separate captures.
        await CaptureAsync(Chain.Document([Part("inputEPCList", lot)]));
        await CaptureAsync(Chain.Document([Part("outputEPCList", product)]));

        Assert.Equal(Set(lot, product), await TraceAsync("forward", lot));
        Assert.Equal(Set(product, lot), await TraceAsync("back", product));
    }

    [Fact]
    public async Task ARecall_StaysInForce_WhenRoutineEventsFollow()
    {
        await CaptureAsync(Chain.Document(Chain.Events()));
        (await Node.SendAsync(HttpMethod.Post, "/epcis/recall", JsonSerializer.Serialize(new { epc = Chain.RawA1 }))).EnsureSuccessStatusCode();
        var later = new Dictionary<string, object?>
        {
            ["type"] = "ObjectEvent",
            ["action"] = "OBSERVE",
            ["eventTime"] = DateTimeOffset.UtcNow.AddMinutes(1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["eventTimeZoneOffset"] = "+00:00",
            ["epcList"] = new[] { Chain.Pallet(2) },
            ["bizStep"] = "receiving",
            ["disposition"] = "sellable_not_accessible",
        };
        await CaptureAsync(Chain.Document([later]));

        var pallet = await StateAsync(Chain.Pallet(2));

        Assert.Equal("sellable_not_accessible", pallet.GetProperty("disposition").GetString());
        Assert.Equal(["recalled"], pallet.GetProperty("persistentDisposition").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Classes_AreMatchedApartFromInstances_AndCarryGenealogy()
    {
        var lot = $"urn:epc:class:lgtin:4012345.012345.{Chain.Name("L").Replace('/', '-')}";
        var bottle = Chain.Name("CLASS-BOTTLE");
        await CaptureAsync(Chain.Document(
        [
            new()
            {
                ["type"] = "ObjectEvent", ["action"] = "ADD", ["eventTime"] = "2026-03-17T08:00:00Z", ["eventTimeZoneOffset"] = "+00:00",
                ["quantityList"] = new[] { new { epcClass = lot, quantity = 200.5, uom = "KGM" } }, ["bizStep"] = "commissioning",
            },
            new()
            {
                ["type"] = "TransformationEvent", ["eventTime"] = "2026-03-17T09:00:00Z", ["eventTimeZoneOffset"] = "+00:00",
                ["inputQuantityList"] = new[] { new { epcClass = lot, quantity = 10 } }, ["outputEPCList"] = new[] { bottle },
            },
        ]));

        Assert.Empty(await EventsAsync($"/epcis/events?MATCH_epc={lot}"));
        Assert.Single(await EventsAsync($"/epcis/events?MATCH_epcClass={lot}"));
        Assert.Single(await EventsAsync($"/epcis/events?MATCH_inputEPCClass={lot}"));
        Assert.Equal(2, (await EventsAsync($"/epcis/events?MATCH_anyEPCClass={lot}")).Count);
        Assert.Equal(Set(lot, bottle), await TraceAsync("forward", lot));
    }

    [Fact]
    public async Task AReusableContainer_CarriesAChildOnlyWhileItIsPacked()
    {
        var (lot, first, second, tote, pallet) = (Chain.Name("R-LOT"), Chain.Name("R-ITEM-1"), Chain.Name("R-ITEM-2"), Chain.Name("R-TOTE"), Chain.Name("R-PALLET"));
        Dictionary<string, object?> Event(string type, string at, string? action, params (string Key, object Value)[] fields)
        {
            var e = new Dictionary<string, object?> { ["type"] = type, ["eventTime"] = at, ["eventTimeZoneOffset"] = "+00:00" };
            if (action is not null)
            {
                e["action"] = action;
            }

            foreach (var (key, value) in fields)
            {
                e[key] = value;
            }

            return e;
        }

        await CaptureAsync(Chain.Document(
        [
            Event("TransformationEvent", "2026-03-17T08:00:00Z", null, ("inputEPCList", new[] { lot }), ("outputEPCList", new[] { first })),
            Event("AggregationEvent", "2026-03-17T09:00:00Z", "ADD", ("parentID", tote), ("childEPCs", new[] { first })),
            Event("AggregationEvent", "2026-03-17T10:00:00Z", "DELETE", ("parentID", tote), ("childEPCs", new[] { first })),
            Event("AggregationEvent", "2026-03-17T11:00:00Z", "ADD", ("parentID", tote), ("childEPCs", new[] { second })),
            Event("AggregationEvent", "2026-03-17T12:00:00Z", "ADD", ("parentID", pallet), ("childEPCs", new[] { tote })),
        ]));

        Assert.Equal(Set(lot, first, tote), await TraceAsync("forward", lot));
        Assert.Equal(Set(second, tote, pallet), await TraceAsync("forward", second));
        Assert.Equal(Set(pallet, tote, first, second, lot), await TraceAsync("back", pallet));
    }

    [Fact]
    public async Task GenealogyFollowsOnlyValidEvents_WhateverTheirArrivalOrder()
    {
        var (lot, item, other, tote, pallet, x1, x2, y1, y2) = (Chain.Name("G-LOT"), Chain.Name("G-ITEM"), Chain.Name("G-OTHER"), Chain.Name("G-TOTE"),
            Chain.Name("G-PALLET"), Chain.Name("G-X1"), Chain.Name("G-X2"), Chain.Name("G-Y1"), Chain.Name("G-Y2"));
        var tx = "urn:uuid:" + Guid.NewGuid();
        var part1 = Event("TransformationEvent", "2026-03-17T07:00:00Z", null, ("transformationID", tx), ("inputEPCList", new[] { x1 }), ("outputEPCList", new[] { y1 }), ("eventID", "urn:uuid:" + Guid.NewGuid()));
        var declared = Event("AggregationEvent", "2026-03-17T07:30:00Z", "ADD", ("parentID", Chain.Name("G-NEVER")), ("childEPCs", new[] { lot }),
            ("errorDeclaration", new { declarationTime = "2026-03-18T00:00:00Z" }));
        // The unpacking arrives before the packing it ends.
        await CaptureAsync(Chain.Document(
        [
            Event("AggregationEvent", "2026-03-17T10:00:00Z", "DELETE", ("parentID", tote), ("childEPCs", new[] { item })),
            part1,
            Event("TransformationEvent", "2026-03-17T07:10:00Z", null, ("transformationID", tx), ("inputEPCList", new[] { x2 }), ("outputEPCList", new[] { y2 })),
            declared,
        ]));
        await CaptureAsync(Chain.Document(
        [
            Event("TransformationEvent", "2026-03-17T08:00:00Z", null, ("inputEPCList", new[] { lot }), ("outputEPCList", new[] { item })),
            Event("AggregationEvent", "2026-03-17T09:00:00Z", "ADD", ("parentID", tote), ("childEPCs", new[] { item })),
            Event("AggregationEvent", "2026-03-17T11:00:00Z", "ADD", ("parentID", tote), ("childEPCs", new[] { other })),
            Event("AggregationEvent", "2026-03-17T12:00:00Z", "ADD", ("parentID", pallet), ("childEPCs", new[] { tote })),
        ]));

        Assert.Equal(Set(lot, item, tote), await TraceAsync("forward", lot));
        Assert.Equal(Set(x2, y1, y2), await TraceAsync("forward", x2));

        part1["errorDeclaration"] = new { declarationTime = "2026-03-18T00:00:00Z" };
        await CaptureAsync(Chain.Document([part1]));

        Assert.Equal(Set(x2, y2), await TraceAsync("forward", x2));
        Assert.Equal(Set(x1), await TraceAsync("forward", x1));
    }

    [Fact]
    public async Task APersistentDisposition_FollowsEventTime_NotArrival()
    {
        var item = Chain.Name("P-ITEM");
        Dictionary<string, object?> Persistent(string at, string member) =>
            Event("ObjectEvent", at, "OBSERVE", ("epcList", new[] { item }), ("persistentDisposition", new Dictionary<string, string[]> { [member] = ["damaged"] }));

        await CaptureAsync(Chain.Document([Persistent("2026-03-17T10:00:00Z", "set"), Persistent("2026-03-17T12:00:00Z", "unset")]));
        await CaptureAsync(Chain.Document([Persistent("2026-03-17T11:00:00Z", "set")]));

        Assert.Empty((await StateAsync(item)).GetProperty("persistentDisposition").EnumerateArray());
    }

    [Fact]
    public async Task OnlyTheOwnerRecalls_ThroughCaptureToo()
    {
        var (a, b) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var writerB = await b.IssueAsync(Node, "writer");
        var item = $"{a.Prefix}/OWNED-ITEM";
        var unset = Event("ObjectEvent", "2026-03-17T10:00:00Z", "OBSERVE", ("epcList", new[] { item }),
            ("persistentDisposition", new Dictionary<string, string[]> { ["unset"] = ["recalled"] }));
        var recall = Event("ObjectEvent", "2026-03-17T10:00:00Z", "OBSERVE", ("epcList", new[] { item }), ("disposition", "recalled"));
        var observe = Event("ObjectEvent", "2026-03-17T10:00:00Z", "OBSERVE", ("epcList", new[] { item }), ("bizStep", "receiving"));

        using var unsetByB = await Node.SendAsAsync(writerB.Secret, HttpMethod.Post, "/epcis/capture", Chain.Document([unset]));
        using var recallByB = await Node.SendAsAsync(writerB.Secret, HttpMethod.Post, "/epcis/capture", Chain.Document([recall]));
        using var observeByB = await Node.SendAsAsync(writerB.Secret, HttpMethod.Post, "/epcis/capture", Chain.Document([observe]));

        Assert.Equal(HttpStatusCode.Forbidden, unsetByB.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, recallByB.StatusCode);
        Assert.Equal(HttpStatusCode.Created, observeByB.StatusCode);
    }

    private static Dictionary<string, object?> Event(string type, string at, string? action, params (string Key, object Value)[] fields)
    {
        var e = new Dictionary<string, object?> { ["type"] = type, ["eventTime"] = at, ["eventTimeZoneOffset"] = "+00:00" };
        if (action is not null)
        {
            e["action"] = action;
        }

        foreach (var (key, value) in fields)
        {
            e[key] = value;
        }

        return e;
    }

    private static HashSet<string> Set(params string[] names) => [.. names];

    private async Task<(HttpStatusCode Status, JsonElement Body)> CaptureAsync(string document)
    {
        using var response = await Node.SendAsync(HttpMethod.Post, "/epcis/capture", document);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<List<JsonElement>> EventsAsync(string path)
    {
        using var response = await Node.Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList").EnumerateArray()];
    }

    private async Task<HashSet<string>> TraceAsync(string direction, string epc, int depth = 10)
    {
        var graph = await Node.Http.GetFromJsonAsync<JsonElement>($"/epcis/trace/{direction}?epc={epc}&depth={depth}");
        return graph.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToHashSet();
    }

    private Task<JsonElement> StateAsync(string id) => Node.Http.GetFromJsonAsync<JsonElement>($"/epcis/state/{id}");
}

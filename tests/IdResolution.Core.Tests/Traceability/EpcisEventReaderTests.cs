using System.Text.Json;
using System.Text.Json.Nodes;
using IdResolution.Core.Traceability;

namespace IdResolution.Core.Tests.Traceability;

/// <summary>Every refusal of the EPCIS reader names the field and says what is wrong; what it accepts is normalised.</summary>
public sealed class EpcisEventReaderTests
{
    private const string Valid = """
        {"type":"ObjectEvent","action":"ADD","eventTime":"2026-03-17T08:00:00.000+08:00","eventTimeZoneOffset":"+08:00",
         "epcList":["88.118.8.1001/B-1","urn:epc:id:sgtin:0614141.107346.2018"],"bizStep":"commissioning","disposition":"active",
         "readPoint":{"id":"88.118.8.1001/LINE-3"},"bizLocation":{"id":"urn:epc:id:sgln:0614141.00777.0"},
         "destinationList":[{"type":"owning_party","destination":"88.118.8.1001/ACME"}]}
        """;

    [Theory]
    [InlineData("type", "\"Event\"", "event.type: 'Event' is not one of")]
    [InlineData("type", null, "event.type: is required")]
    [InlineData("eventTime", "\"2026-03-17\"", "event.eventTime: '2026-03-17' is not an RFC 3339 time")]
    [InlineData("eventTime", "\"2026-03-17T08:00:00\"", "is not an RFC 3339 time with its offset")]
    [InlineData("eventTime", "42", "event.eventTime: must be a non-empty string")]
    [InlineData("eventTimeZoneOffset", "\"+8\"", "event.eventTimeZoneOffset: '+8' is not an offset")]
    [InlineData("eventTimeZoneOffset", "\"+15:00\"", "is not an offset")]
    [InlineData("action", "\"UPDATE\"", "event.action: 'UPDATE' is not ADD, OBSERVE or DELETE")]
    [InlineData("action", null, "event.action: is required")]
    [InlineData("epcList", null, "needs epcList or quantityList")]
    [InlineData("epcList", "\"x\"", "event.epcList: must be an array")]
    [InlineData("epcList", "[\"no-slash\"]", "event.epcList[0]: 'no-slash' is neither a handle")]
    [InlineData("epcList", "[\"urn:epc:idpat:sgtin:0614141.107346.*\"]", "is an EPC pattern")]
    [InlineData("epcList", "[42]", "event.epcList[0]: an object name is 1 to 2048 characters")]
    [InlineData("bizStep", "\"dancing\"", "event.bizStep: 'dancing' is not a CBV business step nor a URI")]
    [InlineData("disposition", "\"fine\"", "event.disposition: 'fine' is not a CBV disposition nor a URI")]
    [InlineData("readPoint", "\"LINE-3\"", "event.readPoint: must be an object with an id")]
    [InlineData("bizLocation", "{\"id\":\"nowhere\"}", "event.bizLocation.id: 'nowhere' is neither")]
    [InlineData("destinationList", "[{\"type\":\"owning_party\"}]", "event.destinationList[0]: needs type and destination")]
    [InlineData("eventID", "\"not a uri\"", "event.eventID: an eventID is an absolute URI")]
    [InlineData("errorDeclaration", "{\"reason\":\"x\"}", "event.errorDeclaration: needs declarationTime")]
    [InlineData("transformationID", "\"urn:x:1\"", "event.transformationID: a transformationID is an absolute URI, on TransformationEvents only")]
    [InlineData("persistentDisposition", "{\"set\":[\"sparkling\"]}", "event.persistentDisposition.set[0]: 'sparkling' is not a CBV disposition")]
    [InlineData("quantityList", "[{\"quantity\":3}]", "event.quantityList[0]: a quantity element needs epcClass")]
    [InlineData("quantityList", "[{\"epcClass\":\"urn:epc:class:lgtin:1.2.3\",\"quantity\":-1}]", "event.quantityList[0].quantity: must be a non-negative number")]
    public void EachBadField_IsNamedWithTheReason(string field, string? json, string message)
    {
        var error = Assert.Throws<HandleException>(() => Read(With(field, json)));

        Assert.Equal(ResponseCode.InvalidValue, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"AggregationEvent","action":"ADD","eventTime":"2026-03-17T08:00:00Z","eventTimeZoneOffset":"+00:00","childEPCs":["88.1/x"]}""", "needs parentID")]
    [InlineData("""{"type":"AggregationEvent","action":"ADD","eventTime":"2026-03-17T08:00:00Z","eventTimeZoneOffset":"+00:00","parentID":"88.1/p"}""", "needs childEPCs or childQuantityList")]
    [InlineData("""{"type":"TransformationEvent","eventTime":"2026-03-17T08:00:00Z","eventTimeZoneOffset":"+00:00"}""", "needs inputEPCList or outputEPCList")]
    [InlineData("""{"type":"AssociationEvent","action":"DELETE","eventTime":"2026-03-17T08:00:00Z","eventTimeZoneOffset":"+00:00","childEPCs":["88.1/x"]}""", "needs parentID")]
    [InlineData("""{"type":"ObjectEvent","type":"ObjectEvent","action":"ADD","eventTime":"2026-03-17T08:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["88.1/x"]}""", "appears twice")]
    [InlineData("""{"type":"ObjectEvent","action":"ADD","eventTime":"2026-03-17T08:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["88.1/\uD800"]}""", "not valid Unicode")]
    [InlineData("""[]""", "an event is a JSON object")]
    public void EventsMissingWhatTheirTypeNeeds_AreRefused(string json, string message)
    {
        var error = Assert.Throws<HandleException>(() => Read(json));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AValidEvent_IsNormalised()
    {
        var e = Read(Valid);

        Assert.Equal(EventType.ObjectEvent, e.Type);
        Assert.Equal(new DateTimeOffset(2026, 3, 17, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), e.EventTime);
        Assert.Equal(["88.118.8.1001/B-1", "GS1/01/10614141073464/21/2018"], e.Objects.Select(o => o.Name));
        Assert.Equal("88.118.8.1001/ACME", e.Custodian);
        Assert.StartsWith("ni:///sha-256;", e.EventId, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://ref.gs1.org/cbv/BizStep-shipping", "shipping")]
    [InlineData("urn:epcglobal:cbv:bizstep:shipping", "shipping")]
    [InlineData("shipping", "shipping")]
    [InlineData("https://example.com/steps/blending", "https://example.com/steps/blending")]
    public void CbvTerms_AreStoredBare_PrivateUrisAsSent(string sent, string stored) =>
        Assert.Equal(stored, Cbv.BizStep(sent, out _));

    [Fact]
    public void TheContentHash_IgnoresOrderSpacingRecordTimeAndErrorDeclarations()
    {
        var a = Read(Valid);
        var node = JsonNode.Parse(Valid)!.AsObject();
        var reordered = new JsonObject(node.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        reordered["recordTime"] = "2026-03-18T00:00:00Z";
        reordered["errorDeclaration"] = new JsonObject { ["declarationTime"] = "2026-03-18T00:00:00Z" };

        var b = Read(reordered.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        Assert.Equal(a.EventId, b.EventId);
        Assert.True(b.DeclaresError);
    }

    [Fact]
    public void ADocument_NamesTheEventThatFails()
    {
        var document = "{\"epcisBody\":{\"eventList\":[" + Valid + "," + With("eventTime", null) + "]}}";
        var error = Assert.Throws<HandleException>(() => EpcisEventReader.ReadDocument(JsonDocument.Parse(document).RootElement));

        Assert.StartsWith("eventList[1].eventTime: is required", error.Message, StringComparison.Ordinal);
    }

    private static EpcisEvent Read(string json) => EpcisEventReader.ReadEvent(JsonDocument.Parse(json).RootElement);

    private static string With(string field, string? json)
    {
        var node = JsonNode.Parse(Valid)!.AsObject();
        if (json is null)
        {
            node.Remove(field);
        }
        else
        {
            node[field] = JsonNode.Parse(json);
        }

        return node.ToJsonString();
    }
}

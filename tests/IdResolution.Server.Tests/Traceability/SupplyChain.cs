using System.Text.Json;

namespace IdResolution.Server.Tests.Traceability;

/// <summary>
/// A shampoo supply chain, in EPCIS 2.0 JSON: raw-material lots mixed into batches (transformation), batches filled
/// into bottles (transformation), bottles packed into cases and cases onto pallets (aggregation), pallets shipped,
/// received by a distributor, a pallet unpacked at a retailer, a bottle sold.
/// Every name is unique to one instance, so that tests sharing a node do not meet.
/// </summary>
public sealed class SupplyChain(string prefix)
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    public string Name(string local) => $"{prefix}/{local}-{_run}";

    public string RawA1 => Name("RAW-A1");

    public string RawA2 => Name("RAW-A2");

    public string RawB1 => Name("RAW-B1");

    public string Mix1 => Name("MIX-1");

    public string Mix2 => Name("MIX-2");

    public string Bottle(int n) => Name($"BOTTLE-{n}");

    public string Case(int n) => Name($"CASE-{n}");

    public string Pallet(int n) => Name($"PALLET-{n}");

    public string Distributor => Name("DIST");

    public string DistributorSite => Name("DIST-WH");

    public string Shop => Name("SHOP-1");

    public List<Dictionary<string, object?>> Events()
    {
        var t = new DateTimeOffset(2026, 3, 17, 8, 0, 0, TimeSpan.FromHours(8));
        string At(int minutes) => t.AddMinutes(minutes).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);
        return
        [
            Object(At(0), [RawA1, RawA2, RawB1], "ADD", "commissioning", "active"),
            Transform(At(10), [RawA1, RawB1], [Mix1]),
            Transform(At(11), [RawA2, RawB1], [Mix2]),
            Transform(At(20), [Mix1], [Bottle(1), Bottle(2), Bottle(3), Bottle(4)]),
            Transform(At(21), [Mix2], [Bottle(5), Bottle(6), Bottle(7), Bottle(8)]),
            Aggregate(At(30), Case(1), [Bottle(1), Bottle(2)], "ADD", "packing"),
            Aggregate(At(30), Case(2), [Bottle(3), Bottle(4)], "ADD", "packing"),
            Aggregate(At(30), Case(3), [Bottle(5), Bottle(6)], "ADD", "packing"),
            Aggregate(At(30), Case(4), [Bottle(7), Bottle(8)], "ADD", "packing"),
            Aggregate(At(40), Pallet(1), [Case(1), Case(3)], "ADD", "packing"),
            Aggregate(At(40), Pallet(2), [Case(2), Case(4)], "ADD", "packing"),
            Ship(At(50), [Pallet(1), Pallet(2)]),
            Receive(At(120), [Pallet(1), Pallet(2)], DistributorSite),
            Aggregate(At(200), Pallet(1), [Case(1), Case(3)], "DELETE", "unpacking"),
            Receive(At(220), [Case(1)], Shop),
            Object(At(300), [Bottle(1)], "OBSERVE", "retail_selling", "retail_sold"),
        ];
    }

    public string Document(IEnumerable<Dictionary<string, object?>> events) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["@context"] = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        ["type"] = "EPCISDocument",
        ["schemaVersion"] = "2.0",
        ["creationDate"] = "2026-03-17T12:00:00Z",
        ["epcisBody"] = new Dictionary<string, object?> { ["eventList"] = events },
    });

    private static Dictionary<string, object?> Base(string type, string at, string? action) => new()
    {
        ["type"] = type,
        ["eventTime"] = at,
        ["eventTimeZoneOffset"] = "+08:00",
        ["eventID"] = "urn:uuid:" + Guid.NewGuid(),
        ["action"] = action,
    };

    private static Dictionary<string, object?> Object(string at, string[] epcs, string action, string step, string disposition)
    {
        var e = Base("ObjectEvent", at, action);
        e["epcList"] = epcs;
        e["bizStep"] = step;
        e["disposition"] = disposition;
        return e;
    }

    private static Dictionary<string, object?> Transform(string at, string[] inputs, string[] outputs)
    {
        var e = Base("TransformationEvent", at, null);
        e.Remove("action");
        e["inputEPCList"] = inputs;
        e["outputEPCList"] = outputs;
        e["bizStep"] = "https://ref.gs1.org/cbv/BizStep-commissioning";
        e["disposition"] = "urn:epcglobal:cbv:disp:active";
        return e;
    }

    private static Dictionary<string, object?> Aggregate(string at, string parent, string[] children, string action, string step)
    {
        var e = Base("AggregationEvent", at, action);
        e["parentID"] = parent;
        e["childEPCs"] = children;
        e["bizStep"] = step;
        e["disposition"] = action == "ADD" ? "container_closed" : "container_open";
        return e;
    }

    private Dictionary<string, object?> Ship(string at, string[] pallets)
    {
        var e = Object(at, pallets, "OBSERVE", "shipping", "in_transit");
        e["sourceList"] = new[] { new { type = "owning_party", source = Name("ACME") } };
        e["destinationList"] = new[] { new { type = "owning_party", destination = Distributor } };
        e["bizTransactionList"] = new[] { new { type = "po", bizTransaction = "urn:epcglobal:cbv:bt:0614141000005:PO-4711" } };
        return e;
    }

    private static Dictionary<string, object?> Receive(string at, string[] epcs, string site)
    {
        var e = Object(at, epcs, "OBSERVE", "receiving", "sellable_not_accessible");
        e["bizLocation"] = new { id = site };
        e["readPoint"] = new { id = site };
        return e;
    }
}

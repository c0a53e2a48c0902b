using System.Text;
using System.Text.Json;
using CsCheck;
using IdResolution.Core.Json;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Fuzz;

/// <summary>The decoders on random and mutated input: a clean refusal (a Handle error, or a format error for stored data), never anything else.</summary>
[Trait("Category", "Fuzz")]
public sealed class DecoderFuzzTests
{
    private static readonly byte[] ValidRecord = HandleValueCodec.Encode(
    [
        new HandleValue(1, "URL", Encoding.UTF8.GetBytes("https://example.com/x")),
        new HandleValue(100, WellKnownTypes.Admin, new AdminValue("88.118.8/admin", 300, AdminPermissions.AddHandle | AdminPermissions.ReadValue).Encode()),
        new HandleValue(2, WellKnownTypes.ValueList, ValueReferenceList.Encode([new ValueReference("88.118.8/a", 300), new ValueReference("88.118.8/b", 301)])),
    ]);

    /// <summary>Random bytes, and valid encodings with a few bytes changed, cut short or grown.</summary>
    private static readonly Gen<byte[]> Bytes = Gen.OneOf(
        Gen.Byte.Array[0, 200],
        Gen.Select(Gen.Int[0, ValidRecord.Length - 1].Array[1, 6], Gen.Byte.Array[6], (at, with) =>
        {
            var mutated = (byte[])ValidRecord.Clone();
            for (var i = 0; i < at.Length; i++)
            {
                mutated[at[i]] = with[i];
            }

            return mutated;
        }),
        Gen.Int[0, ValidRecord.Length].Select(n => ValidRecord[..n]));

    [Fact]
    public void ValueCodec_RefusesBrokenRecords_WithAFormatError_Only() =>
        FuzzRun.Sample(Bytes, data =>
        {
            try
            {
                // Whatever it accepts is a record it can store again unchanged (broken UTF-8 in a mutated type is
                // already replaced on the way in).
                var values = HandleValueCodec.Decode(data);
                var again = HandleValueCodec.Decode(HandleValueCodec.Encode(values));
                Assert.Equal(values.Select(v => (v.Index, v.Type, Convert.ToHexString(v.Data))), again.Select(v => (v.Index, v.Type, Convert.ToHexString(v.Data))));
            }
            catch (FormatException)
            {
                // refused cleanly
            }
        });

    [Fact]
    public void AdminAndReferenceLists_NeverThrow() =>
        FuzzRun.Sample(Bytes, data =>
        {
            _ = AdminValue.TryDecode(data, out _);
            _ = ValueReferenceList.TryDecode(data, out _);
        });

    /// <summary>A JSON string of hostile text, or of raw \u escapes (lone surrogates among them, which a serialiser would repair).</summary>
    private static readonly Gen<string> JsonText = Gen.OneOf(
        FuzzRun.HostileText.Select(s => JsonSerializer.Serialize(s)),
        Gen.Char.Array[1, 4].Select(cs => "\"" + string.Concat(cs.Select(c => $"\\u{(int)c:X4}")) + "\""),
        Gen.Char['\ud800', '\udfff'].Select(c => $"\"x\\u{(int)c:X4}\""));

    /// <summary>JSON shaped like value lists, with every field given every kind of JSON value.</summary>
    private static readonly Gen<string> ValueJson = Gen.Recursive<string>((depth, self) =>
    {
        var scalar = Gen.OneOf(
            Gen.Const("null"), Gen.Const("true"), Gen.Const("\"\""), Gen.Const("-1"), Gen.Const("0"), Gen.Const("1e400"),
            Gen.Const("2147483648"), Gen.Const("\"011111110011\""), Gen.Const("\"1100\""), Gen.Const("\"string\""), Gen.Const("\"admin\""),
            Gen.Const("\"vlist\""), Gen.Const("\"base64\""), Gen.Const("\"hex\""), Gen.Const("\"zz\""), Gen.Const("\"2026-01-01T00:00:00Z\""),
            JsonText, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (depth >= 4)
        {
            return scalar;
        }

        var field = Gen.OneOf("index", "type", "data", "format", "value", "ttl", "permissions", "references", "handle", "values", "timestamp", "x");
        var member = Gen.Select(field, self, (name, value) => $"\"{name}\":{value}");
        return Gen.OneOf(
            scalar,
            member.Array[0, 6].Select(m => "{" + string.Join(",", m) + "}"),
            self.Array[0, 5].Select(items => "[" + string.Join(",", items) + "]"));
    });

    /// <summary>Values that are nearly right: valid indexes, so that the hostile text reaches the type and data readers.</summary>
    private static readonly Gen<string> NearlyValidValues = Gen.Select(Gen.Int[1, 3000], JsonText, JsonText, Gen.OneOf(Gen.Const("string"), Gen.Const("hex"), Gen.Const("base64")), (index, type, data, format) =>
        $$$"""[{"index":{{{index}}},"type":{{{type}}},"data":{{{data}}}},{"index":{{{index + 1}}},"type":"URL","data":{"format":"{{{format}}}","value":{{{data}}}}}]""");

    private static readonly string[] EventFields =
    [
        "type", "action", "eventTime", "eventTimeZoneOffset", "eventID", "epcList", "quantityList", "parentID", "childEPCs",
        "inputEPCList", "outputEPCList", "bizStep", "disposition", "readPoint", "bizLocation", "sourceList", "destinationList",
        "errorDeclaration", "transformationID", "persistentDisposition", "childQuantityList", "inputQuantityList", "outputQuantityList",
    ];

    /// <summary>
    /// A valid event with one to three fields added or given again with random JSON (strings, numbers, arrays, objects,
    /// raw escapes): text built by hand, so that lone surrogates and repeated members reach the reader unrepaired.
    /// </summary>
    private static readonly Gen<string> MutatedEvents = Gen.Select(Gen.Int[0, EventFields.Length - 1].Array[1, 3], ValueJson.Array[3], (fields, values) =>
    {
        var json = new System.Text.StringBuilder("""{"type":"AggregationEvent","action":"ADD","eventTime":"2026-03-17T08:00:00Z","eventTimeZoneOffset":"+00:00","parentID":"88.1/P","childEPCs":["88.1/C"]""");
        for (var i = 0; i < fields.Length; i++)
        {
            json.Append(",\"").Append(EventFields[fields[i]]).Append("\":").Append(values[i]);
        }

        return json.Append('}').ToString();
    });

    [Fact]
    public void EpcisEventReader_RefusesBadEvents_WithAHandleError_Only() =>
        FuzzRun.Sample(Gen.OneOf(MutatedEvents, ValueJson), json =>
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
            try
            {
                var e = Core.Traceability.EpcisEventReader.ReadEvent(document.RootElement);
                Assert.NotEmpty(e.EventId);
            }
            catch (HandleException e)
            {
                Assert.Contains(':', e.Message);
            }
        });

    [Fact]
    public void HandleJsonReader_RefusesBadValues_WithAHandleError_Only() =>
        FuzzRun.Sample(Gen.OneOf(ValueJson, NearlyValidValues), json =>
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
            try
            {
                var values = HandleJsonReader.ReadValues(document.RootElement, out _);
                Assert.All(values, v => Assert.True(v.Index > 0));
            }
            catch (HandleException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        });
}

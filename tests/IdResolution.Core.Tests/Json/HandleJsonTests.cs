using System.Text;
using System.Text.Json;
using IdResolution.Core.Json;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Json;

public class HandleJsonTests
{
    private static List<HandleValue> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return HandleJsonReader.ReadValues(document.RootElement, out _);
    }

    private static JsonElement Write(IReadOnlyList<HandleValue> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, HandleJsonWriter.Options))
        {
            HandleJsonWriter.WriteRecord(writer, "88.1/x", values);
        }

        return JsonDocument.Parse(buffer.WrittenMemory).RootElement;
    }

    [Fact]
    public void ReadValues_AcceptsArrayObjectAndSingleValue()
    {
        const string value = """{"index":1,"type":"URL","data":{"format":"string","value":"https://a"}}""";

        Assert.Single(Read($"[{value}]"));
        Assert.Single(Read($$"""{"values":[{{value}}]}"""));
        Assert.Single(Read(value));
    }

    [Fact]
    public void ReadValues_DecodesEveryDataFormat()
    {
        var values = Read("""
            [
              {"index":1,"type":"A","data":"plain"},
              {"index":2,"type":"B","data":{"format":"base64","value":"AP8="}},
              {"index":3,"type":"C","data":{"format":"hex","value":"00ff"}},
              {"index":4,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"0.NA/88.1","index":200,"permissions":"011111110011"}}},
              {"index":5,"type":"HS_VLIST","data":{"format":"vlist","value":[{"handle":"88.1/a","index":300}]}}
            ]
            """);

        Assert.Equal("plain"u8.ToArray(), values[0].Data);
        Assert.Equal(new byte[] { 0, 255 }, values[1].Data);
        Assert.Equal(new byte[] { 0, 255 }, values[2].Data);
        Assert.True(AdminValue.TryDecode(values[3].Data, out var admin));
        Assert.Equal(("0.NA/88.1", 200), (admin!.Handle, admin.Index));
        Assert.True(ValueReferenceList.TryDecode(values[4].Data, out var references));
        Assert.Equal(new ValueReference("88.1/a", 300), Assert.Single(references));
    }

    [Fact]
    public void ReadValues_ReadsTtlPermissionsAndReferences()
    {
        var value = Assert.Single(Read("""
            [{"index":9,"type":"T","data":"x","ttl":60,"permissions":"1100","references":[{"handle":"88.1/r","index":1}]}]
            """));

        Assert.Equal(60, value.Ttl);
        Assert.Equal(ValuePermissions.AdminRead | ValuePermissions.AdminWrite, value.Permissions);
        Assert.False(value.IsPublic);
        Assert.Equal(new ValueReference("88.1/r", 1), Assert.Single(value.References));
    }

    [Fact]
    public void ReadValues_AbsoluteTtlAsTime()
    {
        var value = Assert.Single(Read("""[{"index":1,"type":"T","data":"x","ttl":"2030-01-01T00:00:00Z"}]"""));

        Assert.Equal(TtlType.Absolute, value.TtlType);
        Assert.Equal(1_893_456_000, value.Ttl);
    }

    [Theory]
    [InlineData("""[{"type":"URL","data":"x"}]""", "integer 'index'")]
    [InlineData("""[{"index":1,"data":"x"}]""", "string 'type'")]
    [InlineData("""[{"index":1,"type":"URL"}]""", "no 'data'")]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"base64","value":"!!"}}]""", "not valid base64")]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"nope","value":"x"}}]""", "unknown data format 'nope'")]
    [InlineData("""[{"index":1,"type":"URL","data":"x","ttl":-5}]""", "'ttl'")]
    [InlineData("""[{"index":1,"type":"URL","data":"x","permissions":"11"}]""", "'permissions'")]
    [InlineData("""[1]""", "values[0] is not an object")]
    [InlineData("""[{"index":1,"type":"URL","data":"x","ttl":5,"ttlType":1.5}]""", "'ttlType'")]
    [InlineData("""[{"index":1,"type":"URL","data":"x","ttl":5,"ttlType":"1"}]""", "'ttlType'")]
    [InlineData("""[{"index":1,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"0.NA/1","index":"300"}}}]""", "admin data needs")]
    [InlineData("""[{"index":1,"type":"URL","data":"x","references":[{"handle":"a/b","index":"1"}]}]""", "needs 'handle'")]
    [InlineData("""[{"index":1,"type":"HS_VLIST","data":{"format":"vlist","value":[{"handle":"a/b","index":true}]}}]""", "needs 'handle'")]
    [InlineData("""[{"index":"1","type":"URL","data":"x"}]""", "integer 'index'")]
    [InlineData("42", "body must be")]
    public void ReadValues_ExplainsWhatIsWrong(string json, string reason)
    {
        var e = Assert.Throws<HandleException>(() => Read(json));

        Assert.Equal(ResponseCode.InvalidValue, e.Code);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteRecord_ProducesReferenceShape()
    {
        var root = Write([new HandleValue(1, "URL", "https://a"u8.ToArray()) { Timestamp = 1_767_225_600 }]);

        Assert.Equal(1, root.GetProperty("responseCode").GetInt32());
        Assert.Equal("88.1/x", root.GetProperty("handle").GetString());
        var value = root.GetProperty("values")[0];
        Assert.Equal("string", value.GetProperty("data").GetProperty("format").GetString());
        Assert.Equal("https://a", value.GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(86400, value.GetProperty("ttl").GetInt32());
        Assert.Equal("2026-01-01T00:00:00Z", value.GetProperty("timestamp").GetString());
        Assert.False(value.TryGetProperty("permissions", out _));
    }

    [Fact]
    public void WriteRecord_BinaryBecomesBase64_AdminBecomesAdmin()
    {
        var admin = new AdminValue("0.NA/88.1", 200, AdminPermissions.AddHandle).Encode();
        var root = Write([new HandleValue(1, "BIN", [0xff, 0xfe]), new HandleValue(100, "HS_ADMIN", admin)]);

        var binary = root.GetProperty("values")[0].GetProperty("data");
        Assert.Equal("base64", binary.GetProperty("format").GetString());
        Assert.Equal("//4=", binary.GetProperty("value").GetString());
        var adminData = root.GetProperty("values")[1].GetProperty("data");
        Assert.Equal("admin", adminData.GetProperty("format").GetString());
        Assert.Equal("000000000001", adminData.GetProperty("value").GetProperty("permissions").GetString());
    }

    [Fact]
    public void WriteRecord_KeepsCjkReadable()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, HandleJsonWriter.Options))
        {
            HandleJsonWriter.WriteRecord(writer, "88.1/x", [new HandleValue(1, "name", "洗发水"u8.ToArray())]);
        }

        Assert.Contains("洗发水", Encoding.UTF8.GetString(buffer.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void ReadThenWrite_RoundTripsPermissionsAndAbsoluteTtl()
    {
        var values = Read("""[{"index":1,"type":"T","data":"x","permissions":"1101","ttl":"2030-01-01T00:00:00Z"}]""");
        var value = Write(values).GetProperty("values")[0];

        Assert.Equal("1101", value.GetProperty("permissions").GetString());
        Assert.Equal("2030-01-01T00:00:00Z", value.GetProperty("ttl").GetString());
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;
using IdResolution.Caching;
using IdResolution.Core.Json;
using IdResolution.Core.Values;

namespace IdResolution.Server.Tests.Caching;

/// <summary>The pre-built JSON answer, which each thread writes through one reused buffer.</summary>
public sealed class CachedResolutionTests
{
    [Fact]
    public void JsonAnswers_BuiltOneAfterAnother_AreEachTheRecordAsWrittenAlone()
    {
        // A record whose answer outgrows the kept buffer, then smaller ones: no answer carries bytes of the one before.
        var huge = Record("88.1/huge", new string('x', 100_000), 1_767_225_600);
        var small = Record("88.1/small", "https://example.com/a", 1_767_225_601);
        var other = Record("88.1/other", "€", 4_102_444_800);

        foreach (var record in new[] { huge, small, other, small })
        {
            var entry = CachedResolution.FromRegistry(record, record.Handle);
            Assert.Equal(WrittenAlone(record), Encoding.UTF8.GetString(entry.PublicJson));
        }
    }

    [Fact]
    public void Times_AreWrittenAsRfc3339Utc()
    {
        var entry = CachedResolution.FromRegistry(Record("88.1/t", "a", 1_767_225_600), "88.1/t");

        using var json = JsonDocument.Parse(entry.PublicJson);
        var value = json.RootElement.GetProperty("values")[0];
        Assert.Equal("2026-01-01T00:00:00Z", value.GetProperty("timestamp").GetString());
        Assert.Equal("2100-01-01T00:00:00Z", JsonDocument.Parse(CachedResolution.FromRegistry(Record("88.1/u", "a", 4_102_444_800), "88.1/u").PublicJson)
            .RootElement.GetProperty("values")[0].GetProperty("timestamp").GetString());
    }

    [Fact]
    public void TheRecord_IsTheSameOnEveryUse_WhetherMadeFromTheRegistryOrRedis()
    {
        var record = new HandleRecord("88.1/r", 3,
        [
            new HandleValue(1, "URL", "https://example.com/r"u8.ToArray()) { Timestamp = 1_767_225_600 },
            new HandleValue(2, "EMAIL", "q@example.com"u8.ToArray()) { Permissions = ValuePermissions.AdminRead },
        ]);
        var fromRegistry = CachedResolution.FromRegistry(record, record.Handle);
        var fromRedis = JsonSerializer.Deserialize<CachedResolution>(JsonSerializer.Serialize(fromRegistry))!;

        foreach (var entry in new[] { fromRegistry, fromRedis })
        {
            for (var use = 0; use < 3; use++)
            {
                var values = entry.Record!.Values;
                Assert.Equal(HandleValueCodec.Encode(record.Values), HandleValueCodec.Encode(values));
            }

            Assert.False(entry.AllPublic);
        }
    }

    private static HandleRecord Record(string handle, string url, long timestamp) =>
        new(handle, 1, [new HandleValue(1, "URL", Encoding.UTF8.GetBytes(url)) { Timestamp = timestamp }]);

    private static string WrittenAlone(HandleRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, HandleJsonWriter.Options))
        {
            HandleJsonWriter.WriteRecord(writer, record.Handle, record.Values, []);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

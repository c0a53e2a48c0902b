using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Values;

public class HandleValueCodecTests
{
    [Fact]
    public void EncodeDecode_RoundTripsEveryField()
    {
        HandleValue[] values =
        [
            new(1, "URL", "https://example.com"u8.ToArray()) { Timestamp = 1_767_225_600, Ttl = 3600 },
            new(2, "bin", [0, 255, 7]) { TtlType = TtlType.Absolute, Ttl = 2_000_000_000, Permissions = ValuePermissions.AdminRead },
            new(3, "name", "洗发水"u8.ToArray()) { References = [new ValueReference("88.1/x", 4)] },
        ];

        var decoded = HandleValueCodec.Decode(HandleValueCodec.Encode(values));

        Assert.Equal(values.Length, decoded.Length);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i].Index, decoded[i].Index);
            Assert.Equal(values[i].Type, decoded[i].Type);
            Assert.Equal(values[i].Data, decoded[i].Data);
            Assert.Equal(values[i].Timestamp, decoded[i].Timestamp);
            Assert.Equal(values[i].Ttl, decoded[i].Ttl);
            Assert.Equal(values[i].TtlType, decoded[i].TtlType);
            Assert.Equal(values[i].Permissions, decoded[i].Permissions);
            Assert.Equal(values[i].References, decoded[i].References);
        }
    }

    [Fact]
    public void Encode_UsesRfc3652Layout()
    {
        var bytes = HandleValueCodec.Encode([new HandleValue(7, "A", [0x42]) { Timestamp = 1, Ttl = 2 }]);

        byte[] expected =
        [
            0, 0, 0, 1, // value count
            0, 0, 0, 7, // index
            0, 0, 0, 1, // timestamp
            0, // ttl type
            0, 0, 0, 2, // ttl
            0x0E, // permissions: admin read, admin write, public read
            0, 0, 0, 1, (byte)'A', // type
            0, 0, 0, 1, 0x42, // data
            0, 0, 0, 0, // references
        ];
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0, 0, 0, 1, 0, 0 })]
    [InlineData(new byte[] { 255, 255, 255, 255 })]
    [InlineData(new byte[] { 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 2, 14, 127, 255, 255, 255 })]
    public void Decode_TruncatedOrCorrupt_ThrowsFormatException(byte[] data)
    {
        Assert.Throws<FormatException>(() => HandleValueCodec.Decode(data));
    }
}

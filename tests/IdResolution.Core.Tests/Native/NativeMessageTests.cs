using System.Text;
using IdResolution.Core.Native;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Native;

/// <summary>The native protocol's framing, checked byte by byte against the worked examples of docs/design/native-protocol.md §9.</summary>
public sealed class NativeMessageTests
{
    private static byte[] Hex(string text) => Convert.FromHexString(string.Concat(text.Where(char.IsAsciiHexDigit)));

    // §9.1: a resolution request for 0.NA/88.118.8, no filters, as the reference client sends it.
    private static readonly byte[] Request = Hex("""
        02 0A 02 0B 00 00 00 00 5A 1C 3E 27 00 00 00 00
        00 00 00 35 00 00 00 01 00 00 00 00 19 00 00 00
        FF FF 00 00 69 56 61 C0 00 00 00 19 00 00 00 0D
        30 2E 4E 41 2F 38 38 2E 31 31 38 2E 38 00 00 00
        00 00 00 00 00 00 00 00 00
        """);

    [Fact]
    public void TheReferenceClientsRequest_ReadsFieldByField()
    {
        var envelope = MessageEnvelope.Read(Request);
        var header = MessageHeader.Read(Request.AsSpan(MessageEnvelope.Size));
        Assert.True(ResolutionRequest.TryRead(Request.AsSpan(MessageEnvelope.Size + MessageHeader.Size, header.BodyLength), out var body, out _));

        Assert.Equal((2, 10, 2, 11), (envelope.MajorVersion, envelope.MinorVersion, envelope.SuggestedMajor, envelope.SuggestedMinor));
        Assert.Equal((0x5A1C3E27, 0, 53), (envelope.RequestId, envelope.SequenceNumber, envelope.MessageLength));
        Assert.False(envelope.Truncated || envelope.Encrypted || envelope.Compressed);
        Assert.Equal(MessageHeader.OpResolution, header.OpCode);
        Assert.Equal(0, header.ResponseCode);
        Assert.Equal(OpFlags.Recursive | OpFlags.CacheAuthenticated | OpFlags.PublicOnly, header.Flags);
        Assert.Equal((short)-1, header.SiteInfoSerial);
        Assert.Equal(0x695661C0u, header.ExpirationTime);
        Assert.Equal(25, header.BodyLength);
        Assert.Equal("0.NA/88.118.8", body.Handle);
        Assert.Empty(body.Indexes);
        Assert.Empty(body.Types);
    }

    [Fact]
    public void ASuccessAnswer_IsByteForByteWhatTheReferenceServerSends()
    {
        var envelope = MessageEnvelope.Read(Request);
        var header = MessageHeader.Read(Request.AsSpan(MessageEnvelope.Size));
        var value = new HandleValue(1, "URL", Encoding.UTF8.GetBytes("https://example.com/")) { Timestamp = 1_767_225_600, Ttl = 86_400 };

        var answer = NativeResponses.Resolution(envelope, header, Encoding.UTF8.GetBytes("0.NA/88.118.8"), HandleValueCodec.Encode([value]),
            OpFlags.Authoritative | OpFlags.Recursive | OpFlags.CacheAuthenticated | OpFlags.PublicOnly, siteSerial: 1, now: 0x695661C5 - NativeResponses.LifetimeSeconds);

        Assert.Equal(Hex("""
            02 0B 02 0B 00 00 00 00 5A 1C 3E 27 00 00 00 00
            00 00 00 62 00 00 00 01 00 00 00 01 99 00 00 00
            00 01 00 00 69 56 61 C5 00 00 00 46 00 00 00 0D
            30 2E 4E 41 2F 38 38 2E 31 31 38 2E 38 00 00 00
            01 00 00 00 01 69 55 B9 00 00 00 01 51 80 0E 00
            00 00 03 55 52 4C 00 00 00 14 68 74 74 70 73 3A
            2F 2F 65 78 61 6D 70 6C 65 2E 63 6F 6D 2F 00 00
            00 00 00 00 00 00
            """), answer);
    }

    [Fact]
    public void ANotFoundAnswer_CarriesCode100AndAnEmptyMessage()
    {
        var envelope = MessageEnvelope.Read(Request);
        var header = MessageHeader.Read(Request.AsSpan(MessageEnvelope.Size));

        var answer = NativeResponses.Error(envelope, header, ResponseCode.HandleNotFound, "", OpFlags.Recursive, siteSerial: 1, now: 1_767_225_600);
        var answerHeader = MessageHeader.Read(answer.AsSpan(MessageEnvelope.Size));

        Assert.Equal(100, answerHeader.ResponseCode);
        Assert.Equal(4, answerHeader.BodyLength);
        Assert.Equal(32, MessageEnvelope.Read(answer).MessageLength);
        Assert.Equal(MessageEnvelope.Size + 32, answer.Length);
    }

    [Fact]
    public void AnOlderClient_GetsItsOwnVersionBack()
    {
        var old = Request.ToArray();
        old[2] = 0x00; // no suggestion: the envelope's 2.10 is the client's version
        var envelope = MessageEnvelope.Read(old);

        var answer = NativeResponses.Error(envelope, MessageHeader.Read(old.AsSpan(MessageEnvelope.Size)), ResponseCode.HandleNotFound, "", OpFlags.None, 1, 0);

        Assert.Equal((2, 10), (answer[0], answer[1]));
    }

    [Theory]
    [InlineData("00 00 00 05 41 42")]
    [InlineData("FF FF FF FF")]
    [InlineData("00 00 00 01 41 7F FF FF FF")]
    [InlineData("00 00 00 01 41 00 00 00 00 00 00 00 01 00 00 00 02 FF FE")]
    public void MalformedBodies_AreRefusedWithAReason(string hex)
    {
        Assert.False(ResolutionRequest.TryRead(Hex(hex), out _, out var error));
        Assert.StartsWith("malformed resolution request", error, StringComparison.Ordinal);
    }
}

/// <summary>The site record, byte by byte against the notes' get-site-info example (§9).</summary>
public sealed class SiteInfoRecordTests
{
    [Fact]
    public void OneServerOnLoopback_QueryOverTcpAndUdp_EncodesAsTheReferenceDoes()
    {
        var record = SiteInfoRecord.OneServer(1, System.Net.IPAddress.Loopback, 2641, []);

        Assert.Equal(Convert.FromHexString(
            "0001020B0001800200000000000000000000000100000001000000000000000000000000" + "7F000001" + "00000000" + "00000002" + "020100000A51" + "020000000A51"),
            record.Encode());
    }
}

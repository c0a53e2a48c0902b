using System.Text;
using IdResolution.Core.Native;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Native;

/// <summary>What this node sends and reads when it asks another site (recursive resolution), checked against the server side's own reading and writing.</summary>
public sealed class NativeClientMessageTests
{
    private static byte[] Hex(string text) => Convert.FromHexString(string.Concat(text.Where(char.IsAsciiHexDigit)));

    [Fact]
    public void ARequest_IsTheReferenceClientsBytes_WithOurVersionAndTheHopCount()
    {
        var request = NativeRequests.Resolution(0x5A1C3E27, "0.NA/88.118.8", [], OpFlags.CacheAuthenticated | OpFlags.PublicOnly, recursionCount: 2, now: 0x695661C0 - NativeResponses.LifetimeSeconds);

        // §9.1 with version 2.11 in the envelope, recursion off and a hop count of 2.
        Assert.Equal(Hex("""
            02 0B 02 0B 00 00 00 00 5A 1C 3E 27 00 00 00 00
            00 00 00 35 00 00 00 01 00 00 00 00 09 00 00 00
            FF FF 02 00 69 56 61 C0 00 00 00 19 00 00 00 0D
            30 2E 4E 41 2F 38 38 2E 31 31 38 2E 38 00 00 00
            00 00 00 00 00 00 00 00 00
            """), request);
    }

    [Fact]
    public void TypeFilters_AreReadBackByTheServerSide()
    {
        var request = NativeRequests.Resolution(7, "0.NA/88.118.9", ["HS_SITE", "HS_SERV"], OpFlags.None, 0, 0);
        var header = MessageHeader.Read(request.AsSpan(MessageEnvelope.Size));

        Assert.True(ResolutionRequest.TryRead(request.AsSpan(MessageEnvelope.Size + MessageHeader.Size, header.BodyLength), out var body, out _));
        Assert.Equal(["HS_SITE", "HS_SERV"], body.Types);
        Assert.Equal("0.NA/88.118.9", body.Handle);
    }

    [Fact]
    public void ASuccessAnswer_GivesItsValues_AfterAnyDigest()
    {
        var (envelope, header) = RequestParts();
        var value = new HandleValue(1, "URL", Encoding.UTF8.GetBytes("https://example.com/")) { Timestamp = 1_767_225_600, Ttl = 600 };
        var digest = NativeResponses.Digest(envelope, [1, 2, 3]);
        var wire = NativeResponses.Resolution(envelope, header, Encoding.UTF8.GetBytes("88.118.9/A"), HandleValueCodec.Encode([value]),
            OpFlags.RequestDigest, siteSerial: 1, now: 0, digest);

        Assert.True(NativeAnswer.TryRead(wire, out var answer, out _));

        Assert.Equal((ResponseCode.Success, 42), (answer.Code, answer.RequestId));
        var read = Assert.Single(answer.Values);
        Assert.Equal(("URL", 600, "https://example.com/"), (read.Type, read.Ttl, Encoding.UTF8.GetString(read.Data)));
    }

    [Fact]
    public void AnErrorAnswer_GivesItsCodeAndMessage()
    {
        var (envelope, header) = RequestParts();
        var wire = NativeResponses.Error(envelope, header, ResponseCode.HandleNotFound, "Handle Not Found", OpFlags.None, 1, 0);

        Assert.True(NativeAnswer.TryRead(wire, out var answer, out _));

        Assert.Equal((ResponseCode.HandleNotFound, "Handle Not Found"), (answer.Code, answer.Message));
        Assert.Empty(answer.Values);
    }

    [Fact]
    public void AReferral_GivesTheServiceHandleAndTheSiteValues()
    {
        var (envelope, header) = RequestParts();
        var site = new HandleValue(1, "HS_SITE", SiteRecord().Encode());
        var wire = NativeResponses.Referral(envelope, header, "0.NA/88.118.9", HandleValueCodec.Encode([site]), OpFlags.None, 1, 0);

        Assert.True(NativeAnswer.TryRead(wire, out var answer, out _));

        Assert.Equal((ResponseCode.ServiceReferral, "0.NA/88.118.9"), (answer.Code, answer.ReferralHandle));
        Assert.Equal("HS_SITE", Assert.Single(answer.Values).Type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("02 0B 02 0B 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 1C 00 00 00 01 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00")]
    [InlineData("02 0B 02 0B 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 1C 00 00 00 01 00 00 00 01 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 09 00 00 00 05 41")]
    [InlineData("02 0B 02 0B 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 1C 00 00 00 01 00 00 00 01 00 80 00 00 00 01 00 00 00 00 00 00 00 00 00 01 07")]
    public void MalformedAnswers_AreRefusedWithAReason(string hex)
    {
        Assert.False(NativeAnswer.TryRead(Hex(hex), out _, out var error));
        Assert.StartsWith("malformed response", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ASiteRecord_DecodesToWhatWasEncoded_AndNamesItsTcpQueryEndpoint()
    {
        Assert.True(SiteInfoRecord.TryDecode(SiteRecord().Encode(), out var site));

        Assert.True(site.Primary);
        Assert.Equal([("desc", "B")], site.Attributes);
        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 2642), site.TcpQueryEndpoint());
        Assert.Equal(SiteRecord().Encode(), site.Encode());
    }

    [Fact]
    public void EveryFieldOfASiteRecord_SurvivesJsonAndBack_ByteForByte()
    {
        var site = new SiteInfoRecord(-2, 0xC0, [("desc", "Ünïcode site"), ("domain", "b.example")],
            [new SiteServer(7, System.Net.IPAddress.Parse("2001:db8::7"), [1, 2, 3], [new(3, SiteInterface.Tcp, 2641), new(SiteInterface.Query, 2, 8000)])])
        { ProtocolMajor = 2, ProtocolMinor = 10, HashOption = 0, HashFilter = [9, 9] };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            IdResolution.Core.Json.HandleJsonWriter.WriteData(writer, new HandleValue(1, "HS_SITE", site.Encode()));
        }

        var json = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory).RootElement;
        var values = IdResolution.Core.Json.HandleJsonReader.ReadValues(System.Text.Json.JsonDocument.Parse($$"""[{"index":1,"type":"HS_SITE","data":{{json.GetRawText()}}}]""").RootElement, out _);

        Assert.Equal("site", json.GetProperty("format").GetString());
        Assert.Equal(site.Encode(), values[0].Data);
    }

    [Fact]
    public void ASiteRecordWithStrayBytes_OrUnusableInterfaces_IsNotTrusted()
    {
        byte[] stray = [.. SiteRecord().Encode(), 0];
        var badPort = new SiteInfoRecord(1, SiteInfoRecord.PrimaryBit, [], [new SiteServer(1, System.Net.IPAddress.Loopback, [], [new(SiteInterface.Query, SiteInterface.Tcp, 70000)])]);
        var unspecified = SiteInfoRecord.OneServer(1, System.Net.IPAddress.Any, 2641, []);

        Assert.False(SiteInfoRecord.TryDecode(stray, out _));
        Assert.Null(badPort.TcpQueryEndpoint());
        Assert.Null(unspecified.TcpQueryEndpoint());
    }

    [Fact]
    public void ATruncatedSiteRecord_IsRefused()
    {
        var bytes = SiteRecord().Encode();

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(SiteInfoRecord.TryDecode(bytes.AsSpan(0, length), out _));
        }
    }

    private static SiteInfoRecord SiteRecord() =>
        new(3, SiteInfoRecord.PrimaryBit, [("desc", "B")], [new SiteServer(1, System.Net.IPAddress.Loopback, [], [new(SiteInterface.Query, SiteInterface.Udp, 2642), new(SiteInterface.Query, SiteInterface.Tcp, 2642)])]);

    private static (MessageEnvelope, MessageHeader) RequestParts()
    {
        var request = NativeRequests.Resolution(42, "88.118.9/A", [], OpFlags.None, 0, 0);
        return (MessageEnvelope.Read(request), MessageHeader.Read(request.AsSpan(MessageEnvelope.Size)));
    }
}

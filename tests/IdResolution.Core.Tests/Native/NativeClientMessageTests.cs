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
        byte[] body = [.. Hex("00 00 00 0D"), .. "0.NA/88.118.9"u8, .. HandleValueCodec.Encode([site])];
        var wire = Rewrite(NativeResponses.Error(envelope, header, ResponseCode.ServiceReferral, "", OpFlags.None, 1, 0), body);

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
        new(3, Primary: true, [("desc", "B")], [(1, System.Net.IPAddress.Loopback, [new(SiteInterface.Query, SiteInterface.Udp, 2642), new(SiteInterface.Query, SiteInterface.Tcp, 2642)])]);

    private static (MessageEnvelope, MessageHeader) RequestParts()
    {
        var request = NativeRequests.Resolution(42, "88.118.9/A", [], OpFlags.None, 0, 0);
        return (MessageEnvelope.Read(request), MessageHeader.Read(request.AsSpan(MessageEnvelope.Size)));
    }

    /// <summary>The same answer with another body (lengths adjusted): for answers this node never sends itself.</summary>
    private static byte[] Rewrite(byte[] answer, byte[] body)
    {
        var envelope = MessageEnvelope.Read(answer);
        var header = MessageHeader.Read(answer.AsSpan(MessageEnvelope.Size));
        var wire = new byte[MessageEnvelope.Size + MessageHeader.Size + body.Length + 4];
        (envelope with { MessageLength = MessageHeader.Size + body.Length + 4 }).Write(wire);
        (header with { BodyLength = body.Length }).Write(wire.AsSpan(MessageEnvelope.Size));
        body.CopyTo(wire.AsSpan(MessageEnvelope.Size + MessageHeader.Size));
        return wire;
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IdResolution.Core.Native;
using IdResolution.Core.Values;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Native;

/// <summary>The native Handle protocol over real TCP and UDP sockets, requests built byte by byte as the reference client sends them.</summary>
public sealed class NativeProtocolTests(PostgresNodeFixture fixture) : IClassFixture<PostgresNodeFixture>
{
    private NodeServer Node => fixture.Node;

    /// <summary>A resolution request as the reference client builds it (envelope 2.10 suggesting 2.11, REC|CA|PO, no site).</summary>
    private static byte[] Request(string handle, int requestId, OpFlags flags = OpFlags.Recursive | OpFlags.CacheAuthenticated | OpFlags.PublicOnly, int opCode = 1, string[]? types = null)
    {
        var name = Encoding.UTF8.GetBytes(handle);
        var typeBytes = (types ?? []).Select(Encoding.UTF8.GetBytes).ToList();
        var bodyLength = 4 + name.Length + 4 + 4 + typeBytes.Sum(t => 4 + t.Length);
        var message = new byte[MessageEnvelope.Size + MessageHeader.Size + bodyLength + 4];
        new MessageEnvelope(2, 10, false, false, false, 2, 11, 0, requestId, 0, MessageHeader.Size + bodyLength + 4).Write(message);
        new MessageHeader(opCode, 0, flags, -1, 0, (uint)DateTimeOffset.UtcNow.AddHours(12).ToUnixTimeSeconds(), bodyLength).Write(message.AsSpan(MessageEnvelope.Size));
        var at = MessageEnvelope.Size + MessageHeader.Size;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(at), name.Length);
        name.CopyTo(message, at + 4);
        at += 4 + name.Length + 4; // no indexes
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(at), typeBytes.Count);
        at += 4;
        foreach (var type in typeBytes)
        {
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(at), type.Length);
            type.CopyTo(message, at + 4);
            at += 4 + type.Length;
        }

        return message;
    }

    private async Task<byte[]> TcpAsync(params byte[][] requests)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Node.NativePort);
        var stream = client.GetStream();
        byte[] answer = [];
        foreach (var request in requests)
        {
            await stream.WriteAsync(request);
            var envelope = new byte[MessageEnvelope.Size];
            await stream.ReadExactlyAsync(envelope);
            answer = new byte[MessageEnvelope.Size + MessageEnvelope.Read(envelope).MessageLength];
            envelope.CopyTo(answer, 0);
            await stream.ReadExactlyAsync(answer.AsMemory(MessageEnvelope.Size));
        }

        return answer;
    }

    /// <summary>Sends a datagram and reassembles the answer's packets (by their sequence numbers) as the reference client does.</summary>
    private async Task<(byte[] Message, int Packets)> UdpAsync(params byte[][] datagrams)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        foreach (var datagram in datagrams)
        {
            await udp.SendAsync(datagram, new IPEndPoint(IPAddress.Loopback, Node.NativePort));
        }

        byte[]? message = null;
        var received = new HashSet<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (message is null || received.Count < (message.Length - MessageEnvelope.Size + 491) / 492)
        {
            var packet = (await udp.ReceiveAsync(timeout.Token)).Buffer;
            Assert.True(packet.Length <= 512, $"a {packet.Length}-byte datagram");
            var envelope = MessageEnvelope.Read(packet);
            message ??= new byte[MessageEnvelope.Size + envelope.MessageLength];
            packet.AsSpan(0, MessageEnvelope.Size).CopyTo(message);
            packet.AsSpan(MessageEnvelope.Size).CopyTo(message.AsSpan(MessageEnvelope.Size + (envelope.SequenceNumber * 492)));
            received.Add(envelope.SequenceNumber);
        }

        return (message, received.Count);
    }

    private static (MessageEnvelope Envelope, MessageHeader Header, ReadOnlyMemory<byte> Body) Parse(byte[] answer)
    {
        var envelope = MessageEnvelope.Read(answer);
        var header = MessageHeader.Read(answer.AsSpan(MessageEnvelope.Size));
        Assert.Equal(MessageEnvelope.Size + MessageHeader.Size + header.BodyLength + 4, answer.Length);
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(answer.AsSpan(answer.Length - 4)));
        return (envelope, header, answer.AsMemory(MessageEnvelope.Size + MessageHeader.Size, header.BodyLength));
    }

    private static List<HandleValue> Values(ReadOnlyMemory<byte> body)
    {
        var handleLength = BinaryPrimitives.ReadInt32BigEndian(body.Span);
        return [.. HandleValueCodec.Decode(body.Span[(4 + handleLength)..])];
    }

    private async Task<string> RegisterAsync(int values = 1)
    {
        var tenant = await Tenant.CreateAsync(Node);
        var handle = $"{tenant.Prefix}/NATIVE-1";
        var list = string.Join(",", Enumerable.Range(1, values).Select(i => $$"""{"index":{{i}},"type":"URL","data":"https://native.example/{{i}}/{{new string('x', 40)}}"}"""))
            + """,{"index":2000,"type":"SECRET","data":"hidden","permissions":"1100"}""";
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", $"[{list}]")).EnsureSuccessStatusCode();
        return handle;
    }

    [Fact]
    public async Task AResolutionOverTcp_AnswersEveryFieldAsTheReferenceServerDoes()
    {
        var handle = await RegisterAsync();

        var (envelope, header, body) = Parse(await TcpAsync(Request(handle, 0x5A1C3E27)));

        Assert.Equal((2, 11, 0x5A1C3E27, 0), (envelope.MajorVersion, envelope.MinorVersion, envelope.RequestId, envelope.SequenceNumber));
        Assert.Equal((1, 1), (header.OpCode, header.ResponseCode));
        Assert.True(header.ExpirationTime > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(header.Flags.HasFlag(OpFlags.PublicOnly));
        Assert.Equal(handle, Encoding.UTF8.GetString(body.Span.Slice(4, BinaryPrimitives.ReadInt32BigEndian(body.Span))));
        var values = Values(body);
        Assert.Equal(["URL"], values.Select(v => v.Type));
        Assert.StartsWith("https://native.example/1/", Encoding.UTF8.GetString(values[0].Data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneConnection_CarriesManyRequests_AndTypeFiltersAndDigestsWork()
    {
        var handle = await RegisterAsync();
        var request = Request(handle, 7, OpFlags.Recursive | OpFlags.PublicOnly | OpFlags.RequestDigest, types: ["EMAIL"]);

        var (_, header, body) = Parse(await TcpAsync(Request(handle, 6), request));
        var expected = System.Security.Cryptography.SHA256.HashData(request.AsSpan(MessageEnvelope.Size, MessageHeader.Size + MessageHeader.Read(request.AsSpan(MessageEnvelope.Size)).BodyLength));

        Assert.Equal(200, header.ResponseCode);
        Assert.True(header.Flags.HasFlag(OpFlags.RequestDigest));
        Assert.Equal(3, body.Span[0]);
        Assert.Equal(expected, body.Span.Slice(1, 32).ToArray());
    }

    [Fact]
    public async Task ErrorsAndUnsupportedOperations_AreAnsweredInCodes()
    {
        var tenant = await Tenant.CreateAsync(Node);

        var missing = Parse(await TcpAsync(Request($"{tenant.Prefix}/NOT-THERE", 1))).Header.ResponseCode;
        var foreign = Parse(await TcpAsync(Request($"99.999.{Random.Shared.Next(100_000, 999_999)}/X", 2))).Header.ResponseCode;
        var invalid = Parse(await TcpAsync(Request("88.118.8..1/X", 3))).Header.ResponseCode;
        var unsupported = Parse(await TcpAsync(Request("x", 4, opCode: 100))).Header;

        Assert.Equal((100, 301, 102), (missing, foreign, invalid));
        Assert.Equal((5, 100), (unsupported.ResponseCode, unsupported.OpCode));
    }

    [Fact]
    public async Task OverUdp_ShortAnswersFitOnePacket_AndLongOnesComeIn492BytePieces()
    {
        var small = await RegisterAsync();
        var tenant = await Tenant.CreateAsync(Node);
        var large = $"{tenant.Prefix}/NATIVE-LARGE";
        var urls = string.Join(",", Enumerable.Range(1, 30).Select(i => $$"""{"index":{{i}},"type":"URL","data":"https://native.example/{{i}}/{{new string('y', 80)}}"}"""));
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{large}", $"[{urls}]")).EnsureSuccessStatusCode();

        var (one, onePackets) = await UdpAsync(Request(small, 11));
        var (many, manyPackets) = await UdpAsync(Request(large, 12));

        Assert.Equal(1, onePackets);
        Assert.Equal(1, Parse(one).Header.ResponseCode);
        Assert.True(manyPackets > 1, $"{manyPackets} packets");
        Assert.Equal(30, Values(Parse(many).Body).Count);
    }

    [Fact]
    public async Task OverUdp_ARequestInSeveralPackets_IsPutTogether_InWhateverOrderItsPacketsCome()
    {
        var handle = await RegisterAsync();
        var types = Enumerable.Range(1, 60).Select(i => $"NO-SUCH-TYPE-{i:00}").Append("URL").ToArray();
        var request = Request(handle, 13, types: types);
        Assert.True(request.Length > 2 * 512, $"{request.Length} bytes");

        // As the reference client splits a request: TC set on every packet, 492 message bytes each, numbered in the envelope.
        var packets = Fragment(request);
        packets.Reverse();
        var (answer, _) = await UdpAsync([.. packets]);

        var (envelope, header, body) = Parse(answer);
        Assert.Equal((13, 1), (envelope.RequestId, header.ResponseCode));
        Assert.Equal("URL", Assert.Single(Values(body)).Type);
    }

    [Fact]
    public async Task OverUdp_AnAnswerTooLargeForSixteenPackets_IsOneTruncatedRefusal_AndTcpAnswersIt()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var huge = $"{tenant.Prefix}/NATIVE-HUGE";
        var urls = string.Join(",", Enumerable.Range(1, 100).Select(i => $$"""{"index":{{i}},"type":"URL","data":"https://native.example/{{i}}/{{new string('z', 100)}}"}"""));
        (await Node.SendAsync(HttpMethod.Put, $"/api/handles/{huge}", $"[{urls}]")).EnsureSuccessStatusCode();

        var (refusal, packets) = await UdpAsync(Request(huge, 14));
        var overTcp = Parse(await TcpAsync(Request(huge, 15)));

        Assert.Equal(1, packets);
        var (envelope, header, _) = Parse(refusal);
        Assert.True(envelope.Truncated);
        Assert.Equal((14, 2), (envelope.RequestId, header.ResponseCode));
        Assert.Equal(1, overTcp.Header.ResponseCode);
        Assert.Equal(100, Values(overTcp.Body).Count);
    }

    /// <summary>A message cut into datagrams of the envelope (TC set, numbered) and 492 message bytes each.</summary>
    private static List<byte[]> Fragment(byte[] message)
    {
        var packets = new List<byte[]>();
        for (var (offset, sequence) = (MessageEnvelope.Size, 0); offset < message.Length; offset += 492, sequence++)
        {
            var length = Math.Min(492, message.Length - offset);
            var packet = new byte[MessageEnvelope.Size + length];
            message.AsSpan(0, MessageEnvelope.Size).CopyTo(packet);
            packet[2] |= 0x20;
            BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(12), sequence);
            message.AsSpan(offset, length).CopyTo(packet.AsSpan(MessageEnvelope.Size));
            packets.Add(packet);
        }

        return packets;
    }

    [Fact]
    public async Task GetSiteInfo_DescribesThisNodeAsAPrimarySiteOnItsNativePort()
    {
        var (_, header, body) = Parse(await TcpAsync(Request("/", 31, opCode: 2)));

        Assert.Equal((2, 1), (header.OpCode, header.ResponseCode));
        var record = body.Span;
        Assert.Equal((1, 2, 11), (BinaryPrimitives.ReadUInt16BigEndian(record), record[2], record[3]));
        Assert.Equal(0x80, record[6]);
        var port = BinaryPrimitives.ReadInt32BigEndian(record[^4..]);
        Assert.Equal(Node.NativePort, port);
    }

    [Fact]
    public async Task Garbage_NeverStopsTheListener()
    {
        var handle = await RegisterAsync();
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, Node.NativePort);
            await client.GetStream().WriteAsync(Enumerable.Repeat((byte)0xFF, 100).ToArray());
        }

        using (var udp = new UdpClient())
        {
            await udp.SendAsync(new byte[] { 1, 2, 3 }, new IPEndPoint(IPAddress.Loopback, Node.NativePort));
            var truncated = Request(handle, 21);
            await udp.SendAsync(truncated.AsMemory(0, 30), new IPEndPoint(IPAddress.Loopback, Node.NativePort));
            // Packets of a "request" claiming a gigabyte, numbered past its end, or repeated: dropped.
            var parts = Fragment(Request(handle, 22, types: [.. Enumerable.Range(1, 60).Select(i => $"T{i:000000000000}")]));
            BinaryPrimitives.WriteInt32BigEndian(parts[0].AsSpan(16), 1 << 30);
            BinaryPrimitives.WriteInt32BigEndian(parts[1].AsSpan(12), 1 << 20);
            foreach (var part in (byte[][])[parts[0], parts[1], parts[2], parts[2]])
            {
                await udp.SendAsync(part, new IPEndPoint(IPAddress.Loopback, Node.NativePort));
            }
        }

        var badBody = Request(handle, 22);
        BinaryPrimitives.WriteInt32BigEndian(badBody.AsSpan(MessageEnvelope.Size + MessageHeader.Size), 100_000);
        var refused = Parse(await TcpAsync(badBody)).Header.ResponseCode;
        var after = Parse(await TcpAsync(Request(handle, 23))).Header.ResponseCode;

        Assert.Equal(4, refused);
        Assert.Equal(1, after);
    }
}

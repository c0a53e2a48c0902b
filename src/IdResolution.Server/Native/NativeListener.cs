using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IdResolution.Core.Native;
using IdResolution.Server.Telemetry;

namespace IdResolution.Server.Native;

/// <summary>Where the native Handle protocol listens: <c>Native:Port</c> (default 2641; 0 turns it off) on <c>Native:Address</c>.</summary>
public sealed class NativeOptions
{
    public const int DefaultPort = 2641;

    public int Port { get; set; } = DefaultPort;

    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The address clients are told in get-site-info answers, when it differs from where the node listens (0.0.0.0).</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>The IP address this node gives other nodes and clients (checked at start: both settings must be IP addresses).</summary>
    public IPAddress AdvertisedIp => IPAddress.Parse(AdvertisedAddress ?? Address);

    public static bool IsValid(NativeOptions options) =>
        IPAddress.TryParse(options.Address, out _) && (options.AdvertisedAddress is null || IPAddress.TryParse(options.AdvertisedAddress, out _));

    /// <summary>
    /// Most packets a UDP answer may take; a longer answer is refused with code 2 and TC set, which sends clients to TCP
    /// at once (a small spoofed request must not make the node flood someone with a large answer).
    /// </summary>
    public int MaxUdpAnswerPackets { get; set; } = 16;
}

/// <summary>
/// The native Handle protocol on TCP and UDP (RFC 3652). TCP: messages framed by their envelope, answered in order,
/// the connection kept until the client closes it or stays idle. UDP: one datagram per request; answers longer than
/// one 512-byte packet go out in 492-byte pieces numbered in the envelope, as the reference server sends them, up to
/// <see cref="NativeOptions.MaxUdpAnswerPackets"/>; requests in several packets are put together (<see cref="UdpRequestParts"/>).
/// A port that cannot be bound is logged, not fatal: HTTP and gRPC keep serving.
/// </summary>
public sealed partial class NativeListener(
    Microsoft.Extensions.Options.IOptions<NativeOptions> options, IServiceScopeFactory scopes, TimeProvider clock, ILogger<NativeListener> logger)
    : BackgroundService
{
    public const int MaxTcpMessage = 256 * 1024;
    public const int UdpPacket = 512;
    public const int UdpData = UdpPacket - MessageEnvelope.Size;
    private readonly UdpRequestParts _parts = new(clock);

    /// <summary>UDP requests answered at once; more are dropped (as if lost; clients retry), so a flood cannot pile up work.</summary>
    private readonly SemaphoreSlim _udpInFlight = new(256, 256);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Port <= 0)
        {
            return Task.CompletedTask;
        }

        var endpoint = new IPEndPoint(IPAddress.Parse(settings.Address), settings.Port);
        return Task.WhenAll(TcpAsync(endpoint, stoppingToken), UdpAsync(endpoint, stoppingToken));
    }

    private async Task TcpAsync(IPEndPoint endpoint, CancellationToken stoppingToken)
    {
        var listener = new TcpListener(endpoint);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            LogCannotListen(logger, "TCP", endpoint.ToString(), e);
            return;
        }

        var connections = new System.Collections.Concurrent.ConcurrentDictionary<Task, bool>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stoppingToken);
                var serving = ServeAsync(client, stoppingToken);
                connections[serving] = true;
                _ = serving.ContinueWith(done => connections.TryRemove(done, out _), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
        }

        // Stopping: requests being answered are finished (connections then close instead of waiting for more).
        await Task.WhenAll(connections.Keys);
    }

    /// <summary>One TCP connection: envelope, then exactly MessageLength bytes, answered; again until EOF, idleness or a bad frame.</summary>
    private async Task ServeAsync(TcpClient client, CancellationToken stoppingToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var envelope = new byte[MessageEnvelope.Size];
                while (true)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    idle.CancelAfter(IdleTimeout);
                    if (!await ReadFullyAsync(stream, envelope, idle.Token))
                    {
                        return;
                    }

                    var length = BinaryPrimitives.ReadInt32BigEndian(envelope.AsSpan(16));
                    if (length is < MessageHeader.Size or > MaxTcpMessage)
                    {
                        return; // not a frame this server can read: the stream cannot be resynchronised
                    }

                    var message = new byte[MessageEnvelope.Size + length];
                    envelope.CopyTo(message, 0);
                    if (!await ReadFullyAsync(stream, message.AsMemory(MessageEnvelope.Size), idle.Token))
                    {
                        return;
                    }

                    // A request read is answered even if the node starts stopping meanwhile (the resolver's own timeouts bound it).
                    if (await AnswerAsync(message, ResolveMetrics.NativeTcp, CancellationToken.None) is { } answer)
                    {
                        using var writing = new CancellationTokenSource(IdleTimeout);
                        await stream.WriteAsync(answer, writing.Token);
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // the client went away, stayed idle, or the node is stopping
            }
        }
    }

    private static async Task<bool> ReadFullyAsync(NetworkStream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private async Task UdpAsync(IPEndPoint endpoint, CancellationToken stoppingToken)
    {
        UdpClient udp;
        try
        {
            udp = new UdpClient(endpoint);
        }
        catch (SocketException e)
        {
            LogCannotListen(logger, "UDP", endpoint.ToString(), e);
            return;
        }

        using (udp)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var datagram = await udp.ReceiveAsync(stoppingToken);
                    if (_udpInFlight.Wait(0))
                    {
                        _ = AnswerDatagramAsync(udp, datagram, stoppingToken);
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (SocketException)
                {
                    // an ICMP error from an earlier reply's destination: keep serving
                }
            }
        }
    }

    private async Task AnswerDatagramAsync(UdpClient udp, UdpReceiveResult datagram, CancellationToken stoppingToken)
    {
        try
        {
            var message = datagram.Buffer;
            if (message.Length < MessageEnvelope.Size)
            {
                return;
            }

            var envelope = MessageEnvelope.Read(message);
            if (UdpRequestParts.IsPart(envelope, message.Length))
            {
                if (_parts.Add(datagram.RemoteEndPoint, envelope, message) is not { } whole)
                {
                    return;
                }

                message = whole;
            }

            if (await AnswerAsync(message, ResolveMetrics.NativeUdp, stoppingToken) is not { } answer)
            {
                return;
            }

            if (answer.Length - MessageEnvelope.Size > options.Value.MaxUdpAnswerPackets * UdpData)
            {
                answer = TooLargeForUdp(message, answer.Length);
            }

            foreach (var packet in Packets(answer))
            {
                await udp.SendAsync(packet, datagram.RemoteEndPoint, stoppingToken);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _udpInFlight.Release();
        }
    }

    /// <summary>Code 2 with TC set in the envelope: "ask over TCP", one packet instead of a flood.</summary>
    private byte[] TooLargeForUdp(byte[] request, int answerLength)
    {
        var envelope = MessageEnvelope.Read(request);
        var header = MessageHeader.Read(request.AsSpan(MessageEnvelope.Size));
        var refusal = NativeResponses.Error(envelope, header, Core.ResponseCode.Error, $"the answer takes {answerLength} bytes, too many for UDP; ask over TCP",
            header.Flags & OpFlags.PublicOnly, NativeRequestHandler.SiteSerial, clock.GetUtcNow().ToUnixTimeSeconds());
        (MessageEnvelope.Read(refusal) with { Truncated = true }).Write(refusal);
        return refusal;
    }

    /// <summary>The answer as datagrams of at most 512 bytes: each the envelope (its SequenceNumber the piece's number) and 492 bytes of the message.</summary>
    public static IEnumerable<byte[]> Packets(byte[] answer)
    {
        if (answer.Length <= UdpPacket)
        {
            yield return answer;
            yield break;
        }

        var data = answer.AsMemory(MessageEnvelope.Size);
        for (var (offset, sequence) = (0, 0); offset < data.Length; offset += UdpData, sequence++)
        {
            var piece = data.Slice(offset, Math.Min(UdpData, data.Length - offset));
            var packet = new byte[MessageEnvelope.Size + piece.Length];
            answer.AsSpan(0, MessageEnvelope.Size).CopyTo(packet);
            BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(12), sequence);
            piece.CopyTo(packet.AsMemory(MessageEnvelope.Size));
            yield return packet;
        }
    }

    private async ValueTask<byte[]?> AnswerAsync(byte[] message, string protocol, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NativeRequestHandler>().AnswerAsync(message, protocol, cancellationToken);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "The native Handle protocol cannot listen on {Transport} {Endpoint}; HTTP and gRPC go on")]
    private static partial void LogCannotListen(ILogger logger, string transport, string endpoint, Exception exception);
}

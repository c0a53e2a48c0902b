using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IdResolution.Core.Native;

namespace IdResolution.LoadGen;

/// <summary>
/// Closed-loop native Handle protocol resolutions of one handle: <c>--concurrency</c> workers, each with its own TCP
/// connection (requests one after the other on it) or UDP socket, for <c>--duration</c>. Prints {"rps","errors"}.
/// </summary>
public static class NativeLoad
{
    public static async Task<int> RunAsync(Uri target, string protocol, string handle, TimeSpan duration, int concurrency, CancellationToken cancellationToken)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        var stop = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker =>
            protocol == "udp" ? UdpWorkerAsync(endpoint, handle, worker, duration, cancellationToken) : TcpWorkerAsync(endpoint, handle, worker, duration, cancellationToken)));
        var seconds = stop.Elapsed.TotalSeconds;
        Console.WriteLine($"{{\"rps\":{counts.Sum(c => c.Ok) / seconds:F0},\"errors\":{counts.Sum(c => c.Errors)}}}");
        return 0;
    }

    private static async Task<(long Ok, long Errors)> TcpWorkerAsync(IPEndPoint endpoint, string handle, int worker, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(endpoint, cancellationToken);
        var stream = client.GetStream();
        var request = Request(handle, worker + 1);
        var envelope = new byte[MessageEnvelope.Size];
        var buffer = new byte[64 * 1024];
        long ok = 0, errors = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < duration)
        {
            await stream.WriteAsync(request, cancellationToken);
            await stream.ReadExactlyAsync(envelope, cancellationToken);
            var length = BinaryPrimitives.ReadInt32BigEndian(envelope.AsSpan(16));
            await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            if (BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(4)) == 1)
            {
                ok++;
            }
            else
            {
                errors++;
            }
        }

        return (ok, errors);
    }

    private static async Task<(long Ok, long Errors)> UdpWorkerAsync(IPEndPoint endpoint, string handle, int worker, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var udp = new UdpClient();
        udp.Connect(endpoint);
        var request = Request(handle, worker + 1);
        long ok = 0, errors = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < duration)
        {
            await udp.SendAsync(request, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                var answer = (await udp.ReceiveAsync(timeout.Token)).Buffer;
                if (answer.Length >= 28 && BinaryPrimitives.ReadInt32BigEndian(answer.AsSpan(24)) == 1)
                {
                    ok++;
                }
                else
                {
                    errors++;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                errors++;
            }
        }

        return (ok, errors);
    }

    /// <summary>A resolution request as the reference client sends it, no filters.</summary>
    private static byte[] Request(string handle, int requestId)
    {
        var name = Encoding.UTF8.GetBytes(handle);
        var bodyLength = 4 + name.Length + 8;
        var message = new byte[MessageEnvelope.Size + MessageHeader.Size + bodyLength + 4];
        new MessageEnvelope(2, 10, false, false, false, 2, 11, 0, requestId, 0, MessageHeader.Size + bodyLength + 4).Write(message);
        new MessageHeader(MessageHeader.OpResolution, 0, OpFlags.Recursive | OpFlags.CacheAuthenticated | OpFlags.PublicOnly, -1, 0,
            (uint)DateTimeOffset.UtcNow.AddHours(12).ToUnixTimeSeconds(), bodyLength).Write(message.AsSpan(MessageEnvelope.Size));
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(MessageEnvelope.Size + MessageHeader.Size), name.Length);
        name.CopyTo(message, MessageEnvelope.Size + MessageHeader.Size + 4);
        return message;
    }
}

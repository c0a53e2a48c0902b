using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IdResolution.Core.Native;
using IdResolution.Registry;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// Asks another Handle site over TCP, as a HANDLE.NET client does: one request per connection, an envelope-framed
/// answer, no recursion asked of the other side (this node recurses itself), the hop count carried on.
/// </summary>
public sealed class NativeClient(IOptions<HierarchyOptions> options, TimeProvider clock)
{
    /// <summary>Sends a resolution request for <paramref name="handle"/>; throws <see cref="SiteUnreachableException"/> when no usable answer comes.</summary>
    public async Task<NativeAnswer> ResolveAsync(IPEndPoint site, string handle, IReadOnlyList<string> types, byte hops, CancellationToken cancellationToken)
    {
        var requestId = Random.Shared.Next(1, int.MaxValue);
        var request = NativeRequests.Resolution(requestId, handle, types, OpFlags.PublicOnly, hops, clock.GetUtcNow().ToUnixTimeSeconds());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var socket = new Socket(site.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(site, timeout.Token);
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
            var answer = await ReadMessageAsync(socket, timeout.Token);
            if (!NativeAnswer.TryRead(answer, out var read, out var error) || read.RequestId != requestId)
            {
                throw new SiteUnreachableException(site, error ?? "the answer was for another request");
            }

            return read;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SiteUnreachableException(site, $"no answer within {options.Value.Timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            throw new SiteUnreachableException(site, e.SocketErrorCode.ToString());
        }
    }

    private static async Task<byte[]> ReadMessageAsync(Socket socket, CancellationToken cancellationToken)
    {
        var envelope = new byte[MessageEnvelope.Size];
        await ReadExactlyAsync(socket, envelope, cancellationToken);
        var length = BinaryPrimitives.ReadInt32BigEndian(envelope.AsSpan(16));
        if (length is < MessageHeader.Size or > Native.NativeListener.MaxTcpMessage)
        {
            throw new SiteUnreachableException((IPEndPoint)socket.RemoteEndPoint!, $"an answer of {length} bytes");
        }

        var message = new byte[MessageEnvelope.Size + length];
        envelope.CopyTo(message, 0);
        await ReadExactlyAsync(socket, message.AsMemory(MessageEnvelope.Size), cancellationToken);
        return message;
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new SiteUnreachableException((IPEndPoint)socket.RemoteEndPoint!, "the connection closed before the answer was complete");
            }

            buffer = buffer[read..];
        }
    }
}

/// <summary>Another site did not answer usably: refused, timed out, closed early or sent something unreadable.</summary>
public sealed class SiteUnreachableException(IPEndPoint site, string reason) : Exception($"the site at {site} did not answer: {reason}")
{
    public IPEndPoint Site { get; } = site;
}

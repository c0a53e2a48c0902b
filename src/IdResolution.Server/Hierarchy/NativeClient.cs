using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IdResolution.Core.Native;
using IdResolution.Registry;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// Asks another Handle site over TCP, as a HANDLE.NET client does: one request per connection, an envelope-framed
/// answer, no recursion asked of the other side (this node recurses itself), the hop count carried on. At most
/// <see cref="HierarchyOptions.MaxOutbound"/> requests are in flight at once, so that callers cannot make this node
/// flood other sites.
/// </summary>
public sealed class NativeClient(IOptions<HierarchyOptions> options, TimeProvider clock)
{
    private readonly SemaphoreSlim _inFlight = new(options.Value.MaxOutbound, options.Value.MaxOutbound);

    /// <summary>Sends a resolution request; throws <see cref="RemoteFailure"/> when no usable answer comes in time.</summary>
    public async Task<NativeAnswer> ResolveAsync(EndPoint site, string handle, IReadOnlyList<string> types, byte hops, CancellationToken cancellationToken)
    {
        var timeout = options.Value.Timeout;
        if (!await _inFlight.WaitAsync(timeout, cancellationToken))
        {
            throw new RemoteFailure("this node is already waiting on as many other nodes as it may", $"{options.Value.MaxOutbound} requests in flight");
        }

        try
        {
            return await AskAsync(site, handle, types, hops, timeout, cancellationToken);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task<NativeAnswer> AskAsync(EndPoint site, string handle, IReadOnlyList<string> types, byte hops, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var requestId = Random.Shared.Next(1, int.MaxValue);
        var request = NativeRequests.Resolution(requestId, handle, types, OpFlags.PublicOnly, hops, clock.GetUtcNow().ToUnixTimeSeconds());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        const string unreachable = "the node asked about it could not be reached";
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(site, deadline.Token);
            await socket.SendAsync(request, SocketFlags.None, deadline.Token);
            var answer = await ReadMessageAsync(socket, deadline.Token);
            return NativeAnswer.TryRead(answer, out var read, out var error) && read.RequestId == requestId
                ? read
                : throw new RemoteFailure(unreachable, $"{site}: {error ?? "an answer to another request"}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RemoteFailure(unreachable, $"{site}: no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            throw new RemoteFailure(unreachable, $"{site}: {e.SocketErrorCode}");
        }
    }

    private static async Task<byte[]> ReadMessageAsync(Socket socket, CancellationToken cancellationToken)
    {
        var envelope = new byte[MessageEnvelope.Size];
        await ReadExactlyAsync(socket, envelope, cancellationToken);
        var length = BinaryPrimitives.ReadInt32BigEndian(envelope.AsSpan(16));
        if (length is < MessageHeader.Size or > Native.NativeListener.MaxTcpMessage)
        {
            throw new SocketException((int)SocketError.ProtocolNotSupported);
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
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            buffer = buffer[read..];
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using IdResolution.Core.Native;
using IdResolution.Core.Values;

namespace IdResolution.Server.Tests.Hierarchy;

/// <summary>
/// A Handle site on a loopback TCP port that answers every resolution, after a delay, with one URL value, and counts
/// the requests it gets: to see how many requests a node makes of another site.
/// </summary>
public sealed class SlowSite : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _delay;
    private Task _serving = Task.CompletedTask;
    private int _requests;

    private SlowSite(TimeSpan delay) => _delay = delay;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Requests => Volatile.Read(ref _requests);

    public static Task<SlowSite> StartAsync(TimeSpan delay)
    {
        var site = new SlowSite(delay);
        site._listener.Start();
        site._serving = site.ServeAsync();
        return Task.FromResult(site);
    }

    private async Task ServeAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                connections.Add(AnswerAsync(await _listener.AcceptTcpClientAsync(_stop.Token)));
            }
        }
        catch (OperationCanceledException)
        {
            await Task.WhenAll(connections);
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        try
        {
            await AnswerOneAsync(client);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // stopped, or the node went away first
        }
    }

    private async Task AnswerOneAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var envelope = new byte[MessageEnvelope.Size];
            await stream.ReadExactlyAsync(envelope, _stop.Token);
            var request = new byte[MessageEnvelope.Size + MessageEnvelope.Read(envelope).MessageLength];
            envelope.CopyTo(request, 0);
            await stream.ReadExactlyAsync(request.AsMemory(MessageEnvelope.Size), _stop.Token);
            Interlocked.Increment(ref _requests);
            await Task.Delay(_delay, _stop.Token);

            var header = MessageHeader.Read(request.AsSpan(MessageEnvelope.Size));
            Assert.True(ResolutionRequest.TryRead(request.AsSpan(MessageEnvelope.Size + MessageHeader.Size, header.BodyLength), out var body, out _));
            var value = new HandleValue(1, "URL", Encoding.UTF8.GetBytes("https://slow.example/")) { Ttl = 600 };
            await stream.WriteAsync(NativeResponses.Resolution(
                MessageEnvelope.Read(request), header, body.HandleBytes, HandleValueCodec.Encode([value]), OpFlags.None, 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds()), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        _stop.Dispose();
    }
}

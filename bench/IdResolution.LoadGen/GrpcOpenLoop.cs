using System.Diagnostics;

namespace IdResolution.LoadGen;

/// <summary>
/// Open-loop load: request i is due at start + i/rate and is sent then, however slow earlier answers are;
/// its latency counts from that due time, so time spent queueing behind a slow server is not hidden. gRPC, over
/// grpc-dotnet's client (HTTP: <see cref="RawHttpOpenLoop"/>).
/// </summary>
public static class GrpcOpenLoop
{
    public static async Task<int> RunAsync(Uri target, Keys keys, double rate, TimeSpan duration, int connections, CancellationToken cancellation)
    {
        var send = GrpcSender(target, connections);
        var latencies = new Latencies();
        var inFlight = new List<Task>();
        var requests = keys.Requests(batch: 0);
        var clock = Stopwatch.StartNew();
        var sent = 0L;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while (clock.Elapsed < duration && !cancellation.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            for (; sent < due; sent++)
            {
                var dueAt = TimeSpan.FromSeconds(sent / rate);
                inFlight.Add(OneAsync(send, Keys.Pick(requests), clock, dueAt, latencies));
            }

            await timer.WaitForNextTickAsync(cancellation);
        }

        await Task.WhenAll(inFlight);
        Console.WriteLine(latencies.Summary(duration));
        return 0;
    }

    private static async Task OneAsync(Func<byte[], Task> send, byte[] request, Stopwatch clock, TimeSpan dueAt, Latencies latencies)
    {
        try
        {
            await send(request);
            latencies.Add((clock.Elapsed - dueAt).TotalMicroseconds);
        }
        catch (Grpc.Core.RpcException)
        {
            latencies.Error();
        }
    }

    private static Func<byte[], Task> GrpcSender(Uri target, int connections)
    {
        var clients = Enumerable.Range(0, Math.Max(1, connections)).Select(_ => new ResolverCalls(GrpcThroughput.Channel(target))).ToArray();
        var next = 0;
        return request => clients[(uint)Interlocked.Increment(ref next) % clients.Length].ResolveAsync(request);
    }
}

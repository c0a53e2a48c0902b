using System.Diagnostics;
using IdResolution.Contracts.V1;

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
        var clock = Stopwatch.StartNew();
        var sent = 0L;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while (clock.Elapsed < duration && !cancellation.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            for (; sent < due; sent++)
            {
                var dueAt = TimeSpan.FromSeconds(sent / rate);
                inFlight.Add(OneAsync(send, keys.Next(), clock, dueAt, latencies));
            }

            await timer.WaitForNextTickAsync(cancellation);
        }

        await Task.WhenAll(inFlight);
        Console.WriteLine(latencies.Summary(duration));
        return 0;
    }

    private static async Task OneAsync(Func<string, Task> send, string handle, Stopwatch clock, TimeSpan dueAt, Latencies latencies)
    {
        try
        {
            await send(handle);
            latencies.Add((clock.Elapsed - dueAt).TotalMicroseconds);
        }
        catch (Grpc.Core.RpcException)
        {
            latencies.Error();
        }
    }

    private static Func<string, Task> GrpcSender(Uri target, int connections)
    {
        var clients = Enumerable.Range(0, Math.Max(1, connections)).Select(_ => new ResolverCalls(GrpcThroughput.Channel(target))).ToArray();
        var next = 0;
        return async handle =>
        {
            var client = clients[(uint)Interlocked.Increment(ref next) % clients.Length];
            await client.ResolveAsync(new ResolveRequest { Handle = handle });
        };
    }
}

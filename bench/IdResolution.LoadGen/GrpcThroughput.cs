using System.Diagnostics;
using Google.Protobuf;
using Grpc.Net.Client;
using IdResolution.Contracts.V1;

namespace IdResolution.LoadGen;

/// <summary>Closed-loop gRPC load: a fixed number of calls in flight, each started when the previous one ends.</summary>
public static class GrpcThroughput
{
    public static async Task<int> RunAsync(Uri target, Keys keys, TimeSpan duration, int concurrency, int connections, int batch, CancellationToken cancellation)
    {
        var channels = Enumerable.Range(0, Math.Max(1, connections)).Select(_ => Channel(target)).ToArray();
        var latencies = new Latencies();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stop.CancelAfter(duration);
        var clock = Stopwatch.StartNew();
        var requests = keys.Requests(batch);
        var workers = Enumerable.Range(0, concurrency).Select(i => WorkAsync(new ResolverCalls(channels[i % channels.Length]), requests, batch > 0, latencies, stop.Token));
        await Task.WhenAll(workers);
        Console.WriteLine(latencies.Summary(clock.Elapsed, Math.Max(1, batch)));
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        return 0;
    }

    public static async Task<int> CaptureAsync(Uri target, string handle, string output, CancellationToken cancellation)
    {
        using var channel = Channel(target);
        var answer = await new Resolver.ResolverClient(channel).ResolveAsync(new ResolveRequest { Handle = handle }, cancellationToken: cancellation);
        await File.WriteAllBytesAsync(output, answer.ToByteArray(), cancellation);
        return 0;
    }

    public static async Task<int> SweepAsync(Uri target, string prefix, int count, int batch, CancellationToken cancellation)
    {
        using var channel = Channel(target);
        var client = new Resolver.ResolverClient(channel);
        var found = 0;
        for (var start = 0; start < count; start += batch)
        {
            var request = new BatchResolveRequest();
            for (var i = start; i < Math.Min(count, start + batch); i++)
            {
                request.Handles.Add($"{prefix}/L-{i}");
            }

            var response = await client.BatchResolveAsync(request, cancellationToken: cancellation);
            found += response.Results.Count(r => r.ResponseCode == 1);
        }

        Console.WriteLine($"{{\"resolved\":{found}}}");
        return found == count ? 0 : 1;
    }

    /// <summary>
    /// Resolves PREFIX/L-0 .. L-(N-1) twice each over gRPC and over HTTP: a node keeps an entry's ready-made answers
    /// from their second use, so what follows measures a node in its steady state, not one building answers.
    /// </summary>
    public static async Task<int> WarmAsync(Uri grpcTarget, Uri httpTarget, string prefix, int count, CancellationToken cancellation)
    {
        using var channel = Channel(grpcTarget);
        var grpc = new ResolverCalls(channel);
        using var http = new HttpClient { BaseAddress = httpTarget };
        var failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 2 * count), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellation }, async (i, token) =>
        {
            var handle = $"{prefix}/L-{i % count}";
            try
            {
                await grpc.ResolveAsync(new ResolveRequest { Handle = handle }.ToByteArray());
                using var answer = await http.GetAsync($"/api/handles/{handle}", token);
                answer.EnsureSuccessStatusCode();
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or HttpRequestException)
            {
                Interlocked.Increment(ref failed);
            }
        });
        Console.WriteLine($"{{\"warmed\":{count},\"failed\":{failed}}}");
        return failed == 0 ? 0 : 1;
    }

    public static GrpcChannel Channel(Uri target) =>
        GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan },
        });

    private static async Task WorkAsync(ResolverCalls client, byte[][] requests, bool batch, Latencies latencies, CancellationToken stop)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var request = Keys.Pick(requests);
                await (batch ? client.BatchResolveAsync(request) : client.ResolveAsync(request));

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
            catch (Grpc.Core.RpcException)
            {
                latencies.Error();
            }
        }
    }
}

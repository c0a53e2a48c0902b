using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace IdResolution.LoadGen;

/// <summary>
/// Closed-loop HTTP load on the traceability API over the trees bench/trace.sh seeds: trace forward from random
/// roots and back from random leaves, or capture documents of new events about random objects.
/// Objects are PREFIX/T{tree}-N{node}, node 1 the root, nodes 2n and 2n+1 its outputs (a binary tree).
/// </summary>
public static class TraceLoad
{
    public static async Task<int> TraceAsync(Uri target, string prefix, int trees, int nodesPerTree, int depth, TimeSpan duration, int concurrency, CancellationToken cancellation)
    {
        using var http = new HttpClient { BaseAddress = target };
        return await RunAsync(duration, concurrency, 1, async (random, token) =>
        {
            var tree = random.Next(trees);
            var forward = random.Next(2) == 0;
            var node = forward ? 1 : random.Next((nodesPerTree / 2) + 1, nodesPerTree + 1);
            var path = $"/epcis/trace/{(forward ? "forward" : "back")}?epc={prefix}/T{tree}-N{node}&depth={depth}&maxNodes=1000";
            using var response = await http.GetAsync(path, token);
            return response.IsSuccessStatusCode;
        }, cancellation);
    }

    public static async Task<int> CaptureAsync(Uri target, string token, string prefix, int trees, int nodesPerTree, int perDocument, TimeSpan duration, int concurrency, CancellationToken cancellation)
    {
        using var http = new HttpClient { BaseAddress = target };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await RunAsync(duration, concurrency, perDocument, async (random, stop) =>
        {
            var body = new StringBuilder("""{"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-17T12:00:00Z","epcisBody":{"eventList":[""");
            for (var i = 0; i < perDocument; i++)
            {
                var epc = $"{prefix}/T{random.Next(trees)}-N{random.Next(1, nodesPerTree + 1)}";
                body.Append(i == 0 ? "" : ",").Append("""{"type":"ObjectEvent","action":"OBSERVE","eventTime":"2026-03-18T08:00:00.000+08:00","eventTimeZoneOffset":"+08:00","eventID":"urn:uuid:""")
                    .Append(Guid.NewGuid()).Append("\",\"epcList\":[\"").Append(epc).Append("\"],\"bizStep\":\"receiving\",\"disposition\":\"sellable_not_accessible\",\"bizLocation\":{\"id\":\"")
                    .Append(prefix).Append("/SITE-").Append(random.Next(100)).Append("\"}}");
            }

            body.Append("]}}");
            using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/epcis/capture", content, stop);
            return response.IsSuccessStatusCode;
        }, cancellation);
    }

    private static async Task<int> RunAsync(TimeSpan duration, int concurrency, int itemsPerCall, Func<Random, CancellationToken, Task<bool>> call, CancellationToken cancellation)
    {
        var latencies = new Latencies();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stop.CancelAfter(duration);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var random = new Random(worker);
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    if (await call(random, stop.Token))
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                    }
                    else
                    {
                        latencies.Error();
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (HttpRequestException)
                {
                    latencies.Error();
                }
            }
        }));
        Console.WriteLine(latencies.Summary(clock.Elapsed, itemsPerCall));
        return 0;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Telemetry;

/// <summary>With OTLP export configured, one request's trace reaches through the node into PostgreSQL and Redis.</summary>
public sealed class TraceTests
{
    [Fact]
    public async Task ResolveMiss_IsTracedThroughAspNetCore_Npgsql_AndRedis()
    {
        await using var database = new TestDatabase();
        await database.CreateAsync();
        var settings = database.NodeSettings();
        settings["Node:Prefix"] = "88.118.8";
        settings["Seeds:Load"] = "false";
        // Nothing listens there: spans are still made and seen in-process, and failed exports must not hurt.
        settings["Telemetry:OtlpEndpoint"] = $"http://127.0.0.1:{Ports.Free()}";
        await using var node = await NodeServer.StartAsync(settings);
        (await node.SendAsync(HttpMethod.Post, $"/api/prefixes/{NodeFixture.EnterprisePrefix}")).EnsureSuccessStatusCode();
        var handle = $"{NodeFixture.EnterprisePrefix}/T-{Guid.NewGuid():N}";
        (await node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://t.example"}]""")).EnsureSuccessStatusCode();

        var traceId = ActivityTraceId.CreateRandom();
        var sources = new ConcurrentDictionary<string, bool>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStopped = a =>
            {
                if (a.TraceId == traceId)
                {
                    sources.TryAdd(a.Source.Name, true);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/handles/{handle}");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await node.Http.SendAsync(request)).EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(
            () => Task.FromResult(sources.ContainsKey("Npgsql") && sources.Keys.Any(s => s.Contains("Redis", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(15),
            "Npgsql and Redis spans in the request's trace");
        Assert.Contains("Microsoft.AspNetCore", sources.Keys);
    }
}

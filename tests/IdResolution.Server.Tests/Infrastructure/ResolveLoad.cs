using System.Collections.Concurrent;
using System.Net;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>
/// Resolves under load for a disruption test: workers resolve the given handles in turn over their own HTTP clients
/// until stopped, counting answers that are 200 and keeping the others (and transport errors) as failures.
/// </summary>
public sealed class ResolveLoad : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers;
    private int _succeeded;

    public ResolveLoad(Uri target, IReadOnlyList<string> handles, int workers)
    {
        _workers = [.. Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(target, handles, w)))];
    }

    public int Succeeded => Volatile.Read(ref _succeeded);

    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Waits until <paramref name="more"/> more resolves have succeeded than had when it was called.</summary>
    public Task SucceedsAsync(int more, string what)
    {
        var target = Succeeded + more;
        return Eventually.HoldsAsync(() => Task.FromResult(Succeeded >= target), TimeSpan.FromSeconds(30), what);
    }

    /// <summary>Stops the workers, waiting for the resolves in flight.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    private async Task WorkAsync(Uri target, IReadOnlyList<string> handles, int worker)
    {
        using var client = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(10) };
        for (var i = worker; !_stop.IsCancellationRequested; i++)
        {
            try
            {
                using var answer = await client.GetAsync($"/api/handles/{handles[i % handles.Count]}");
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref _succeeded);
                }
                else
                {
                    _failures.Enqueue($"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                }
            }
            catch (HttpRequestException e)
            {
                _failures.Enqueue(e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}

/// <summary>One-URL records for the scale-out tests: written through a node, read back through one.</summary>
public static class UrlRecords
{
    public static async Task RegisterAsync(this NodeServer node, string handle, string url, int ttl = 86400)
    {
        using var answer = await node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", $$"""[{"index":1,"type":"URL","data":"{{url}}","ttl":{{ttl}}}]""");
        answer.EnsureSuccessStatusCode();
    }

    public static async Task<string?> UrlAsync(this NodeServer node, string handle)
    {
        using var answer = await node.Http.GetAsync($"/api/handles/{handle}");
        answer.EnsureSuccessStatusCode();
        var record = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(answer.Content);
        return record.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString();
    }
}

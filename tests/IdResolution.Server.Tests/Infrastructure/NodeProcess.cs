using System.Diagnostics;
using System.Net;
using System.Text;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>The node as a separate process, started the way `dotnet run` starts it, in a working directory of the test's choosing.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, Uri httpUrl)
    {
        _process = process;
        HttpUrl = httpUrl;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri HttpUrl { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<NodeProcess> StartAsync(string workingDirectory, params string[] extraArgs)
    {
        var httpUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IdResolution.Server.dll"));
        start.ArgumentList.Add($"--Node:HttpUrl={httpUrl}");
        start.ArgumentList.Add($"--Node:GrpcUrl=http://127.0.0.1:{Ports.Free()}");
        foreach (var arg in extraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        var node = new NodeProcess(Process.Start(start)!, httpUrl);
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = HttpUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the node exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // starting slowly
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the node was not healthy within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>Debian's HAProxy in the foreground with deploy/haproxy/haproxy.cfg, in front of three node processes on loopback.</summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HaproxyProcess(Process process, int http, int grpc, int native, int stats)
    {
        _process = process;
        HttpUrl = new Uri($"http://127.0.0.1:{http}");
        GrpcUrl = new Uri($"http://127.0.0.1:{grpc}");
        NativePort = native;
        StatsUrl = new Uri($"http://127.0.0.1:{stats}/;csv");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri HttpUrl { get; }

    public Uri GrpcUrl { get; }

    public int NativePort { get; }

    /// <summary>HAProxy's statistics as CSV: each server's state and request count.</summary>
    public Uri StatsUrl { get; }

    public static async Task<HaproxyProcess> StartAsync(IReadOnlyList<(NodeProcess Node, int NativePort)> nodes)
    {
        var (http, grpc, native, stats) = (Ports.Free(), Ports.Free(), Ports.Free(), Ports.Free());
        var start = new ProcessStartInfo("/usr/sbin/haproxy") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-db", "-f", Path.Combine(AppContext.BaseDirectory, "deploy", "haproxy", "haproxy.cfg") })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["LB_HTTP_BIND"] = $"127.0.0.1:{http}";
        start.Environment["LB_GRPC_BIND"] = $"127.0.0.1:{grpc}";
        start.Environment["LB_NATIVE_BIND"] = $"127.0.0.1:{native}";
        start.Environment["LB_STATS_BIND"] = $"127.0.0.1:{stats}";
        for (var i = 0; i < nodes.Count; i++)
        {
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            start.Environment[$"NODE{n}_ADDR"] = "127.0.0.1";
            start.Environment[$"NODE{n}_HTTP_PORT"] = nodes[i].Node.HttpUrl.Port.ToString(CultureInfo.InvariantCulture);
            start.Environment[$"NODE{n}_GRPC_PORT"] = nodes[i].Node.GrpcUrl.Port.ToString(CultureInfo.InvariantCulture);
            start.Environment[$"NODE{n}_NATIVE_PORT"] = nodes[i].NativePort.ToString(CultureInfo.InvariantCulture);
        }

        var haproxy = new HaproxyProcess(Process.Start(start)!, http, grpc, native, stats);
        try
        {
            await Ports.WaitUntilListeningAsync(http, TimeSpan.FromSeconds(10));
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await haproxy.DisposeAsync();
            throw new InvalidOperationException($"HAProxy did not start:\n{haproxy.Output}", e);
        }

        return haproxy;
    }

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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

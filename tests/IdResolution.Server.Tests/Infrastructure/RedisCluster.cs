using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>
/// A Redis Cluster of three masters and three replicas on loopback (Debian's redis-server and redis-cli), with a short node
/// timeout so that a killed master's replica takes over within a couple of seconds.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("idres-cluster-").FullName;
    private readonly Dictionary<int, Process> _processes = [];

    public IReadOnlyList<int> Ports { get; private set; } = [];

    /// <summary>The StackExchange.Redis configuration naming every node (the client discovers the slots).</summary>
    public string Configuration => string.Join(",", Ports.Select(p => $"127.0.0.1:{p}"));

    public static async Task<RedisCluster> StartAsync()
    {
        var cluster = new RedisCluster();
        try
        {
            cluster.Ports = ClusterPorts(6);
            foreach (var port in cluster.Ports)
            {
                cluster.Start(port);
            }

            foreach (var port in cluster.Ports)
            {
                await Infrastructure.Ports.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(20));
            }

            await Processes.RunAsync("redis-cli", ["--cluster", "create", .. cluster.Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "1", "--cluster-yes"]);
            await cluster.WaitUntilHealthyAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every live node reports the cluster ok and every slot served, and every replica is in sync.</summary>
    public Task WaitUntilHealthyAsync() => Eventually.HoldsAsync(async () =>
    {
        foreach (var port in _processes.Keys)
        {
            var p = port.ToString(CultureInfo.InvariantCulture);
            var info = await Processes.RunAsync("redis-cli", ["-p", p, "cluster", "info"]);
            var replication = await Processes.RunAsync("redis-cli", ["-p", p, "info", "replication"]);
            if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) || !info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal)
                || (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }, TimeSpan.FromSeconds(30), "the Redis Cluster being ok");

    /// <summary>SIGKILLs one master; returns its port.</summary>
    public async Task<int> KillAMasterAsync()
    {
        foreach (var port in _processes.Keys)
        {
            if ((await Processes.RunAsync("redis-cli", ["-p", port.ToString(CultureInfo.InvariantCulture), "role"])).StartsWith("master", StringComparison.Ordinal))
            {
                _processes[port].Kill();
                await _processes[port].WaitForExitAsync();
                _processes[port].Dispose();
                _processes.Remove(port);
                return port;
            }
        }

        throw new InvalidOperationException("no master found");
    }

    private void Start(int port)
    {
        var p = port.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (var arg in new[]
        {
            "--port", p, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{p}.conf", "--cluster-node-timeout", "1000", "--dir", _directory,
            // A cache: a replica takes over however long it was out of touch with its master (see deploy/OPERATIONS.md).
            "--cluster-replica-validity-factor", "0",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        _processes[port] = process;
    }

    /// <summary>Free ports whose cluster bus port (+10000) is free too, below 55536.</summary>
    private static List<int> ClusterPorts(int count)
    {
        var ports = new List<int>();
        for (var port = Random.Shared.Next(20000, 40000); ports.Count < count; port++)
        {
            if (IsFree(port) && IsFree(port + 10000))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }
}

using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using IdResolution.Contracts.V1;
using IdResolution.Core;
using IdResolution.Core.Native;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// Three node processes on one PostgreSQL database and one Redis, behind Debian's HAProxy with deploy/haproxy/haproxy.cfg:
/// HTTP, gRPC and the native protocol go through it; a node stopped with SIGTERM drains without failing a request; a
/// node killed outright costs at most the requests it had in flight.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public sealed class LoadBalancerTests : IAsyncLifetime
{
    private const int Workers = 8;
    private const string Handle = "88.118.8/LB-1";
    private readonly TestDatabase _database = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("idres-lb-").FullName;
    private readonly List<(NodeProcess Node, int NativePort)> _nodes = [];

    public async Task InitializeAsync()
    {
        await _database.CreateAsync();
        // The first node migrates the registry; the others then start together.
        _nodes.Add(await StartNodeAsync());
        _nodes.AddRange(await Task.WhenAll(StartNodeAsync(), StartNodeAsync()));
    }

    [Fact]
    public async Task ANodeStoppedWithSigterm_FailsNoRequest_AndAKilledOne_OnlyThoseInFlight()
    {
        using (var operatorClient = new HttpClient { BaseAddress = _nodes[0].Node.HttpUrl })
        {
            operatorClient.DefaultRequestHeaders.Authorization = NodeServer.Bearer();
            using var body = new StringContent("""[{"index":1,"type":"URL","data":"https://lb.example/1"}]""", System.Text.Encoding.UTF8, "application/json");
            (await operatorClient.PutAsync($"/api/handles/{Handle}", body)).EnsureSuccessStatusCode();
        }

        await using var lb = await HaproxyProcess.StartAsync(_nodes);
        using var stats = new HttpClient();
        await Eventually.HoldsAsync(async () => (await ServersUpAsync(stats, lb)).Count == 3, TimeSpan.FromSeconds(15), "HAProxy seeing three ready nodes");

        // SIGTERM: node 2 reports unready while still serving, HAProxy takes it out, it finishes what it has and exits.
        HttpStatusCode drainingReadiness = 0, drainingResolve = 0;
        var graceful = await UnderLoadAsync(lb, async () =>
        {
            var node2 = _nodes[1].Node;
            using var direct = new HttpClient { BaseAddress = node2.HttpUrl };
            await node2.SignalTerminateAsync();
            await Eventually.HoldsAsync(async () => (drainingReadiness = (await direct.GetAsync("/readyz")).StatusCode) == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(5), "node 2 reporting unready");
            drainingResolve = (await direct.GetAsync($"/api/handles/{Handle}")).StatusCode;
            await Eventually.HoldsAsync(async () => !(await ServersUpAsync(stats, lb)).Contains("node2"), TimeSpan.FromSeconds(10), "HAProxy taking node 2 out");
            await node2.WaitForExitAsync(TimeSpan.FromSeconds(30));
        });
        var servedByNode2 = await RequestsServedAsync(stats, lb, "node2");

        // SIGKILL: node 3 vanishes mid-request; HAProxy notices within two checks.
        var crash = await UnderLoadAsync(lb, async () =>
        {
            await _nodes[2].Node.KillAsync();
            await Eventually.HoldsAsync(async () => !(await ServersUpAsync(stats, lb)).Contains("node3"), TimeSpan.FromSeconds(10), "HAProxy marking node 3 down");
        });

        Assert.True(servedByNode2 > 0, "node 2 never got a request before it stopped");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK), (drainingReadiness, drainingResolve));
        Assert.True(graceful.Succeeded > 400, $"{graceful.Succeeded} requests");
        Assert.Empty(graceful.Failures);
        Assert.True(crash.Failures.Count <= Workers, $"{crash.Failures.Count} failures: {string.Join("; ", crash.Failures.Take(3))}\n{lb.Output}");
        await ResolvesOverGrpcAndNativeAsync(lb);
    }

    /// <summary>Resolves through the balancer from <see cref="Workers"/> clients, before, during and after <paramref name="disruption"/>.</summary>
    private static async Task<(int Succeeded, List<string> Failures)> UnderLoadAsync(HaproxyProcess lb, Func<Task> disruption)
    {
        await using var load = new ResolveLoad(lb.HttpUrl, [Handle], Workers);
        await load.SucceedsAsync(200, "load flowing");
        await disruption();
        await load.SucceedsAsync(200, "load flowing on the other nodes");
        await load.StopAsync();
        return (load.Succeeded, [.. load.Failures]);
    }

    private static async Task ResolvesOverGrpcAndNativeAsync(HaproxyProcess lb)
    {
        using var channel = GrpcChannel.ForAddress(lb.GrpcUrl);
        var grpc = await new Resolver.ResolverClient(channel).ResolveAsync(new ResolveRequest { Handle = Handle });
        Assert.Equal("https://lb.example/1", grpc.Values.Single().Data.ToStringUtf8());

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, lb.NativePort);
        var stream = tcp.GetStream();
        await stream.WriteAsync(NativeRequests.Resolution(4, Handle, [], OpFlags.PublicOnly, 0, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var envelope = new byte[MessageEnvelope.Size];
        await stream.ReadExactlyAsync(envelope);
        var message = new byte[MessageEnvelope.Size + MessageEnvelope.Read(envelope).MessageLength];
        envelope.CopyTo(message, 0);
        await stream.ReadExactlyAsync(message.AsMemory(MessageEnvelope.Size));
        Assert.True(NativeAnswer.TryRead(message, out var native, out _));
        Assert.Equal(ResponseCode.Success, native.Code);
    }

    /// <summary>The HTTP backend's servers HAProxy has up, from its statistics CSV.</summary>
    private static async Task<List<string>> ServersUpAsync(HttpClient stats, HaproxyProcess lb) =>
        [.. (await StatsAsync(stats, lb)).Where(row => row["svname"].StartsWith("node", StringComparison.Ordinal) && row["status"].StartsWith("UP", StringComparison.Ordinal)).Select(row => row["svname"])];

    private static async Task<long> RequestsServedAsync(HttpClient stats, HaproxyProcess lb, string server) =>
        long.Parse((await StatsAsync(stats, lb)).Single(row => row["svname"] == server)["stot"], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<Dictionary<string, string>>> StatsAsync(HttpClient stats, HaproxyProcess lb)
    {
        var lines = (await stats.GetStringAsync(lb.StatsUrl)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var columns = lines[0].TrimStart('#', ' ').Split(',');
        return [.. lines.Skip(1).Select(line => line.Split(','))
            .Where(cells => cells[0] == "nodes_http")
            .Select(cells => columns.Zip(cells).ToDictionary(p => p.First, p => p.Second))];
    }

    private async Task<(NodeProcess, int)> StartNodeAsync()
    {
        var native = Ports.Free();
        var settings = _database.NodeSettings();
        settings["Native:Port"] = native.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Node:DrainDelay"] = "00:00:03";
        settings["Auth:BootstrapToken"] = NodeServer.OperatorToken;
        settings["Limits:PerAddressPerSecond"] = "0";
        settings["Limits:PerKeyPerSecond"] = "0";
        settings["Logging:LogLevel:Default"] = "Warning";
        var node = await NodeProcess.StartAsync(_directory, settings);
        return (node, native);
    }

    public async Task DisposeAsync()
    {
        foreach (var (node, _) in _nodes)
        {
            await node.DisposeAsync();
        }

        await _database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

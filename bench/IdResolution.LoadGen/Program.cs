using System.CommandLine;
using IdResolution.LoadGen;

// Load generator for bench/load.sh: gRPC closed-loop throughput, open-loop latency at a fixed arrival rate
// (HTTP or gRPC, measured from each request's intended send time), and capture of a real gRPC answer.
var target = new Option<string>("--target") { Description = "Base URL of the node or baseline", Required = true };
var duration = new Option<double>("--duration") { Description = "Seconds to run", DefaultValueFactory = _ => 10 };
var handles = new Option<int>("--handles") { Description = "Uniform mix over PREFIX/L-0 .. L-(N-1); 0: only --hot", DefaultValueFactory = _ => 0 };
var hot = new Option<string>("--hot") { Description = "The one handle of a hot-key run", DefaultValueFactory = _ => "88.118.8.1001/L-0" };
var prefix = new Option<string>("--prefix") { Description = "Prefix of the uniform mix", DefaultValueFactory = _ => "88.118.8.1001" };
var concurrency = new Option<int>("--concurrency") { Description = "Calls in flight (closed loop)", DefaultValueFactory = _ => 64 };
var connections = new Option<int>("--connections") { Description = "HTTP/2 connections (gRPC; default 2); TCP connections of the HTTP open loop (load.sh: 64)", DefaultValueFactory = _ => 2 };
var batch = new Option<int>("--batch") { Description = "BatchResolve this many handles per call instead of Resolve", DefaultValueFactory = _ => 0 };
var rate = new Option<double>("--rate") { Description = "Requests per second (open loop)", Required = true };
var protocol = new Option<string>("--protocol") { Description = "http or grpc", DefaultValueFactory = _ => "http" };
var output = new Option<string>("--out") { Description = "File for the captured answer", Required = true };

var grpc = new Command("grpc", "Closed-loop gRPC throughput: --concurrency calls kept in flight for --duration seconds.")
{
    target, duration, handles, hot, prefix, concurrency, connections, batch,
};
grpc.SetAction((result, cancellation) => GrpcThroughput.RunAsync(
    new Uri(result.GetValue(target)!), Keys.From(result.GetValue(handles), result.GetValue(hot)!, result.GetValue(prefix)!),
    TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(concurrency), result.GetValue(connections), result.GetValue(batch), cancellation));

var open = new Command("rate", "Open-loop latency: requests sent at --rate per second whatever the answers do.")
{
    target, duration, handles, hot, prefix, rate, protocol, connections,
};
open.SetAction((result, cancellation) =>
{
    var (uri, keys) = (new Uri(result.GetValue(target)!), Keys.From(result.GetValue(handles), result.GetValue(hot)!, result.GetValue(prefix)!));
    var (perSecond, seconds, sockets) = (result.GetValue(rate), TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(connections));
    return result.GetValue(protocol) switch
    {
        "http" => Task.FromResult(RawHttpOpenLoop.Run(uri, keys, perSecond, seconds, sockets)),
        "grpc" => GrpcOpenLoop.RunAsync(uri, keys, perSecond, seconds, sockets, cancellation),
        var other => throw new ArgumentException($"unknown protocol {other}"),
    };
});

var capture = new Command("capture", "Writes the node's gRPC Resolve answer for --hot to --out (for baseline B).") { target, hot, output };
capture.SetAction((result, cancellation) => GrpcThroughput.CaptureAsync(new Uri(result.GetValue(target)!), result.GetValue(hot)!, result.GetValue(output)!, cancellation));

var sweep = new Command("sweep", "Resolves PREFIX/L-0 .. L-(N-1) once each with BatchResolve (fills the node's memory cache).")
{
    target, handles, prefix, batch,
};
sweep.SetAction((result, cancellation) => GrpcThroughput.SweepAsync(
    new Uri(result.GetValue(target)!), result.GetValue(prefix)!, result.GetValue(handles), Math.Max(1, result.GetValue(batch)), cancellation));

var httpTarget = new Option<string>("--http") { Description = "Base URL of the node's HTTP API", Required = true };
var warm = new Command("warm", "Resolves PREFIX/L-0 .. L-(N-1) twice each over gRPC (--target) and HTTP (--http): answers kept from their second use.")
{
    target, httpTarget, handles, prefix,
};
warm.SetAction((result, cancellation) => GrpcThroughput.WarmAsync(
    new Uri(result.GetValue(target)!), new Uri(result.GetValue(httpTarget)!), result.GetValue(prefix)!, result.GetValue(handles), cancellation));

var trees = new Option<int>("--trees") { Description = "Trees seeded by trace.sh", DefaultValueFactory = _ => 195 };
var nodes = new Option<int>("--nodes") { Description = "Nodes per tree", DefaultValueFactory = _ => 1023 };
var depth = new Option<int>("--depth") { Description = "Trace depth", DefaultValueFactory = _ => 10 };
var perDocument = new Option<int>("--per-document") { Description = "Events per captured document", DefaultValueFactory = _ => 100 };
var token = new Option<string>("--token") { Description = "Bearer key that writes", DefaultValueFactory = _ => "" };
var trace = new Command("trace", "Closed-loop trace forward (from roots) and back (from leaves) over trace.sh's trees.")
{
    target, prefix, trees, nodes, depth, duration, concurrency,
};
trace.SetAction((result, cancellation) => TraceLoad.TraceAsync(
    new Uri(result.GetValue(target)!), result.GetValue(prefix)!, result.GetValue(trees), result.GetValue(nodes), result.GetValue(depth),
    TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(concurrency), cancellation));
var epcisCapture = new Command("epcis-capture", "Closed-loop capture of EPCIS documents of --per-document new events about trace.sh's objects.")
{
    target, token, prefix, trees, nodes, perDocument, duration, concurrency,
};
epcisCapture.SetAction((result, cancellation) => TraceLoad.CaptureAsync(
    new Uri(result.GetValue(target)!), result.GetValue(token)!, result.GetValue(prefix)!, result.GetValue(trees), result.GetValue(nodes), result.GetValue(perDocument),
    TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(concurrency), cancellation));

var transport = new Option<string>("--transport") { Description = "tcp or udp", DefaultValueFactory = _ => "tcp" };
var native = new Command("native", "Closed-loop native Handle protocol resolutions of --hot over TCP (a connection per worker) or UDP.")
{
    target, hot, transport, duration, concurrency,
};
native.SetAction((result, cancellation) => NativeLoad.RunAsync(
    new Uri(result.GetValue(target)!), result.GetValue(transport)!, result.GetValue(hot)!, TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(concurrency), cancellation));

var root = new RootCommand("IdResolution load generator") { grpc, open, capture, sweep, warm, trace, epcisCapture, native };
return await root.Parse(args).InvokeAsync();

using Grpc.Core;
using IdResolution.Contracts.V1;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Baseline A: any GET answers the bytes of --Body (a real resolve answer) on HTTP/1.1 (--HttpPort) and h2c (--GrpcPort).
// Baseline B: idresolution.v1.Resolver/Resolve answers the message in --GrpcBody (a real answer), serialised per call.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var body = await File.ReadAllBytesAsync(builder.Configuration["Body"] ?? throw new InvalidOperationException("--Body=FILE is required"));
var grpcBody = ResolveResponse.Parser.ParseFrom(await File.ReadAllBytesAsync(builder.Configuration["GrpcBody"] ?? throw new InvalidOperationException("--GrpcBody=FILE is required")));
builder.WebHost.ConfigureKestrel(k =>
{
    k.ListenLocalhost(builder.Configuration.GetValue("HttpPort", 6080), o => o.Protocols = HttpProtocols.Http1);
    k.ListenLocalhost(builder.Configuration.GetValue("GrpcPort", 6081), o => o.Protocols = HttpProtocols.Http2);
    k.AddServerHeader = false;
});
builder.Services.AddGrpc();
builder.Services.AddSingleton(new BaselineResolver(grpcBody));

var app = builder.Build();
app.MapGrpcService<BaselineResolver>();
app.MapGet("/{**path}", async context =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    await context.Response.BodyWriter.WriteAsync(body, context.RequestAborted);
});
await app.RunAsync();

internal sealed class BaselineResolver(ResolveResponse answer) : Resolver.ResolverBase
{
    public override Task<ResolveResponse> Resolve(ResolveRequest request, ServerCallContext context) => Task.FromResult(answer);
}

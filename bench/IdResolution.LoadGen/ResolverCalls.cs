using Grpc.Core;
using Grpc.Net.Client;
using IdResolution.Contracts.V1;

namespace IdResolution.LoadGen;

/// <summary>
/// Resolve and BatchResolve calls whose answers are received, not parsed: like wrk and h2load, the load generator
/// checks the status and takes the bytes, so its own decoding (100 results a batch) does not take the 2 cores
/// the server is measured on.
/// </summary>
public sealed class ResolverCalls(GrpcChannel channel)
{
    // Every answer is this one object: nothing is allocated per answer either.
    private static readonly object Received = new();

    private static readonly Marshaller<object> Ignored = new((_, _) => throw new NotSupportedException(), _ => Received);

    private static readonly Method<ResolveRequest, object> Resolve = Unary<ResolveRequest>("Resolve");

    private static readonly Method<BatchResolveRequest, object> BatchResolve = Unary<BatchResolveRequest>("BatchResolve");

    private readonly CallInvoker _invoker = channel.CreateCallInvoker();

    public Task<object> ResolveAsync(ResolveRequest request) => _invoker.AsyncUnaryCall(Resolve, null, default, request).ResponseAsync;

    public Task<object> BatchResolveAsync(BatchResolveRequest request) => _invoker.AsyncUnaryCall(BatchResolve, null, default, request).ResponseAsync;

    private static Method<TRequest, object> Unary<TRequest>(string name)
        where TRequest : Google.Protobuf.IMessage<TRequest>, new() =>
        new(MethodType.Unary, Resolver.Descriptor.FullName, name, Marshallers.Create<TRequest>(r => Google.Protobuf.MessageExtensions.ToByteArray(r), _ => throw new NotSupportedException()), Ignored);
}

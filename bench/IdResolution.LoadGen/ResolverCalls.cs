using Grpc.Core;
using Grpc.Net.Client;
using IdResolution.Contracts.V1;

namespace IdResolution.LoadGen;

/// <summary>
/// Resolve and BatchResolve calls whose requests are encoded before the run (<see cref="Keys.Requests"/>) and whose
/// answers are received, not parsed: like wrk and h2load, the load generator sends ready bytes, checks the status and
/// takes the answer's bytes, so its own encoding and decoding (100 names a batch) do not take the 2 cores the server
/// is measured on.
/// </summary>
public sealed class ResolverCalls(GrpcChannel channel)
{
    // Every answer is this one object: nothing is allocated per answer either.
    private static readonly object Received = new();

    private static readonly Marshaller<byte[]> Encoded = new((bytes, context) => context.Complete(bytes), _ => throw new NotSupportedException());

    private static readonly Marshaller<object> Ignored = new((_, _) => throw new NotSupportedException(), _ => Received);

    private static readonly Method<byte[], object> Resolve = Unary("Resolve");

    private static readonly Method<byte[], object> BatchResolve = Unary("BatchResolve");

    private readonly CallInvoker _invoker = channel.CreateCallInvoker();

    /// <summary>An encoded ResolveRequest.</summary>
    public Task<object> ResolveAsync(byte[] request) => _invoker.AsyncUnaryCall(Resolve, null, default, request).ResponseAsync;

    /// <summary>An encoded BatchResolveRequest.</summary>
    public Task<object> BatchResolveAsync(byte[] request) => _invoker.AsyncUnaryCall(BatchResolve, null, default, request).ResponseAsync;

    private static Method<byte[], object> Unary(string name) => new(MethodType.Unary, Resolver.Descriptor.FullName, name, Encoded, Ignored);
}

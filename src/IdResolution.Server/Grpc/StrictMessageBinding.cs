using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using IdResolution.Contracts;
using IdResolution.Core;

namespace IdResolution.Server.Grpc;

/// <summary>
/// Binds gRPC services like grpc-dotnet's default binder, but with request deserializers that answer a
/// malformed message with INVALID_ARGUMENT (Handle code 4) instead of grpc-dotnet's generic UNKNOWN, and
/// response serializers that send pre-encoded answers (<see cref="PreEncodedMessages"/>) as they are.
/// </summary>
internal sealed class StrictMessageMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var bindMethod = FindBindMethod(typeof(TService));
        bindMethod?.Invoke(null, [new StrictBinder<TService>(context, bindMethod.GetParameters()[1].ParameterType), null]);
    }

    /// <summary>The generated static <c>BindService(ServiceBinderBase, TBase)</c>, named by [BindServiceMethod] on a base type.</summary>
    private static MethodInfo? FindBindMethod(Type type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetCustomAttribute<BindServiceMethodAttribute>() is { } attribute)
            {
                return attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static,
                    [typeof(ServiceBinderBase), current]);
            }
        }

        return null;
    }
}

internal sealed class StrictBinder<TService>(ServiceMethodProviderContext<TService> context, Type declaringType) : ServiceBinderBase
    where TService : class
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Model<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext));
        context.AddUnaryMethod(Strict(method), metadata, invoker);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Model<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
        context.AddClientStreamingMethod(Strict(method), metadata, invoker);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Model<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddServerStreamingMethod(Strict(method), metadata, invoker);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
    {
        var (invoker, metadata) = Model<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
        context.AddDuplexStreamingMethod(Strict(method), metadata, invoker);
    }

    private static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var marshaller = method.RequestMarshaller;
        var strict = new Marshaller<TRequest>(marshaller.ContextualSerializer, deserializationContext =>
        {
            try
            {
                return marshaller.ContextualDeserializer(deserializationContext);
            }
            catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or InvalidOperationException or FormatException)
            {
                throw GrpcErrors.Exception(ResponseCode.ProtocolError, $"the request is not a valid {typeof(TRequest).Name} message: {e.Message}");
            }
        });
        var responses = method.ResponseMarshaller;
        var preEncoded = new Marshaller<TResponse>(
            (response, serializationContext) =>
            {
                if (PreEncodedMessages.TryGet(response, out var bytes))
                {
                    serializationContext.Complete(bytes!);
                }
                else if (response is Contracts.V1.BatchResolveResponse { Parts: { } parts })
                {
                    BatchResponseEncoder.Write(parts, serializationContext);
                }
                else
                {
                    responses.ContextualSerializer(response, serializationContext);
                }
            },
            responses.ContextualDeserializer);
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, strict, preEncoded);
    }

    /// <summary>An open-instance delegate to the service's override, and the endpoint metadata (e.g. [Authorize]) of class and method.</summary>
    private (TDelegate Invoker, List<object> Metadata) Model<TDelegate>(string name, params Type[] parameters)
        where TDelegate : Delegate
    {
        var declared = declaringType.GetMethod(name, parameters)
            ?? throw new InvalidOperationException($"{declaringType.Name} has no method {name}");
        var implementation = typeof(TService).GetMethod(name, parameters) ?? declared;
        var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
        metadata.AddRange(implementation.GetCustomAttributes(inherit: true));
        metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
        return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), declared), metadata);
    }
}

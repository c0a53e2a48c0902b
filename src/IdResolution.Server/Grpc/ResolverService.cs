using System.Diagnostics;
using Grpc.Core;
using IdResolution.Caching;
using IdResolution.Contracts;
using IdResolution.Core;
using IdResolution.Core.Values;
using IdResolution.Server.Resolution;
using IdResolution.Server.Telemetry;
using V1 = IdResolution.Contracts.V1;

namespace IdResolution.Server.Grpc;

/// <summary>idresolution.v1.Resolver: the same resolution as the HTTP API, over HTTP/2 gRPC.</summary>
public sealed class ResolverService(HandleResolver resolver, ResolveMetrics metrics) : V1.Resolver.ResolverBase
{
    public override Task<V1.ResolveResponse> Resolve(V1.ResolveRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var resolving = resolver.ResolveAsync(request.Handle, request.Auth, context.CancellationToken);
        return resolving.IsCompletedSuccessfully ? Measured(resolving.Result, request, context, started) : AnswerAsync(resolving, request, context, started);
    }

    private async Task<V1.ResolveResponse> AnswerAsync(ValueTask<Resolution.Resolution> resolving, V1.ResolveRequest request, ServerCallContext context, long started) =>
        await Measured(await resolving, request, context, started);

    private Task<V1.ResolveResponse> Measured(Resolution.Resolution resolution, V1.ResolveRequest request, ServerCallContext context, long started)
    {
        try
        {
            return Answer(resolution, request, context);
        }
        finally
        {
            metrics.Resolved(ResolveMetrics.Grpc, resolution.Code, resolution.Layer, started);
        }
    }

    /// <summary>An L1 hit for an unfiltered anonymous call returns the entry's completed task: nothing is allocated or encoded.</summary>
    private static Task<V1.ResolveResponse> Answer(Resolution.Resolution resolution, V1.ResolveRequest request, ServerCallContext context)
    {
        if (resolution.Entry is not { } entry)
        {
            throw GrpcErrors.Exception(resolution.Code, resolution.Message!);
        }

        var filter = Filter(request.TypeFilter, request.IndexFilter);
        return filter.SelectsAll && ReadAccess.PublicSuffices(context.GetHttpContext(), entry)
            ? entry.PublicResponseTask
            : FilteredAsync(entry, filter, context);
    }

    private static async Task<V1.ResolveResponse> FilteredAsync(CachedResolution entry, ValueFilter filter, ServerCallContext context)
    {
        var seesRestricted = await ReadAccess.SeesRestrictedAsync(context.GetHttpContext(), entry, context.CancellationToken);
        var values = ValueVisibility.Select(entry.Record!.Values, filter, seesRestricted);
        var response = new V1.ResolveResponse
        {
            Handle = entry.Handle,
            ResponseCode = (uint)(values.Count == 0 && !filter.SelectsAll ? ResponseCode.ValuesNotFound : ResponseCode.Success),
        };
        ProtoValues.AddTo(response.Values, values);
        response.Aliases.Add(entry.AliasList);
        return response;
    }

    public override async Task<V1.BatchResolveResponse> BatchResolve(V1.BatchResolveRequest request, ServerCallContext context)
    {
        if (request.Handles.Count > HandleResolver.MaxBatch)
        {
            throw GrpcErrors.Exception(ResponseCode.ProtocolError, $"{request.Handles.Count} handles in one batch; the limit is {HandleResolver.MaxBatch}");
        }

        var started = Stopwatch.GetTimestamp();
        var filter = Filter(request.TypeFilter, request.IndexFilter);
        var resolutions = await resolver.ResolveManyAsync(request.Handles, request.Auth, context.CancellationToken);
        metrics.Resolved(ResolveMetrics.GrpcBatch, ResponseCode.Success, null, started);
        var parts = new V1.ResolveResultPart[resolutions.Length];
        var http = context.GetHttpContext();
        var succeeded = 0;
        for (var i = 0; i < resolutions.Length; i++)
        {
            var resolution = resolutions[i];
            var seesRestricted = resolution.Entry is { } entry && await ReadAccess.SeesRestrictedAsync(http, entry, context.CancellationToken);
            parts[i] = Result(resolution, filter, seesRestricted);
            if (resolution.Code == ResponseCode.Success)
            {
                succeeded++;
            }
            else
            {
                metrics.BatchItems(resolution.Code, 1);
            }
        }

        // Counted once per batch: a count per identifier cost more than the lookup itself.
        metrics.BatchItems(ResponseCode.Success, succeeded);
        return new V1.BatchResolveResponse { Parts = parts };
    }

    private static V1.ResolveResultPart Result(Resolution.Resolution resolution, ValueFilter filter, bool seesRestricted)
    {
        if (resolution.Entry is not { } entry)
        {
            return new(null, new V1.ResolveResult { Handle = resolution.Handle, ResponseCode = (uint)resolution.Code, Message = resolution.Message ?? string.Empty });
        }

        if (filter.SelectsAll && (!seesRestricted || entry.AllPublic))
        {
            return new(entry.EncodedPublicResult, null);
        }

        var values = ValueVisibility.Select(entry.Record!.Values, filter, seesRestricted);
        var result = new V1.ResolveResult { Handle = entry.Handle, ResponseCode = (uint)ResponseCode.Success };
        if (values.Count == 0 && !filter.SelectsAll)
        {
            result.ResponseCode = (uint)ResponseCode.ValuesNotFound;
            result.Message = "Values Not Found";
        }

        ProtoValues.AddTo(result.Values, values);
        result.Aliases.Add(entry.AliasList);
        return new(null, result);
    }

    private static ValueFilter Filter(IList<string> types, IList<uint> indexes)
    {
        if (types.Count == 0 && indexes.Count == 0)
        {
            return ValueFilter.All;
        }

        var indexList = new int[indexes.Count];
        for (var i = 0; i < indexList.Length; i++)
        {
            indexList[i] = (int)Math.Min(indexes[i], int.MaxValue);
        }

        return new ValueFilter([.. types], indexList);
    }
}

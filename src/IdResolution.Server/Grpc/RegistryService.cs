using System.Text;
using Grpc.Core;
using IdResolution.Contracts;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Registry;
using IdResolution.Server.Auth;
using Microsoft.AspNetCore.Authorization;
using V1 = IdResolution.Contracts.V1;

namespace IdResolution.Server.Grpc;

/// <summary>idresolution.v1.Registry: writes and listings, with the same rules as the HTTP API.</summary>
// Any key at the door (policies combine: each method adds what it needs); PrefixAccess checks the prefix.
[Authorize(Policy = NodePolicies.Read)]
public sealed class RegistryService(
    HandleRegistry handles, Writes.HandleWrites writes, PrefixRegistry prefixes, PrefixAccess access, Statistics.StatisticsReport statistics, Bulk.BulkImport import)
    : V1.Registry.RegistryBase
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public override async Task<V1.WriteHandleResponse> CreateHandle(V1.CreateHandleRequest request, ServerCallContext context)
    {
        var name = HandleName.Parse(request.Handle);
        var values = ProtoValues.FromProto(request.Values);
        var result = await writes.CreateAsync(context.GetHttpContext().User, name, values, context.CancellationToken);
        return new V1.WriteHandleResponse { Handle = result.Handle, Version = (ulong)result.Version };
    }

    public override async Task<V1.WriteHandleResponse> UpdateHandle(V1.UpdateHandleRequest request, ServerCallContext context)
    {
        var name = HandleName.Parse(request.Handle);
        var values = ProtoValues.FromProto(request.Values);
        var user = context.GetHttpContext().User;
        var result = request.ReplaceAll
            ? await writes.ReplaceAsync(user, name, values, context.CancellationToken)
            : await writes.UpsertAsync(user, name, values, overwrite: true, context.CancellationToken);
        return new V1.WriteHandleResponse { Handle = result.Handle, Version = (ulong)result.Version };
    }

    public override async Task<V1.WriteHandleResponse> DeleteHandle(V1.DeleteHandleRequest request, ServerCallContext context)
    {
        var name = HandleName.Parse(request.Handle);
        var user = context.GetHttpContext().User;
        if (request.Indexes.Count == 0)
        {
            await writes.DeleteAsync(user, name, context.CancellationToken);
            return new V1.WriteHandleResponse { Handle = name.Display };
        }

        var indexes = request.Indexes.Select(i => (int)Math.Min(i, int.MaxValue)).ToArray();
        var result = await writes.RemoveValuesAsync(user, name, indexes, context.CancellationToken);
        return new V1.WriteHandleResponse { Handle = result.Handle, Version = (ulong)result.Version };
    }

    public override async Task<V1.ListHandlesResponse> ListHandles(V1.ListHandlesRequest request, ServerCallContext context)
    {
        var prefix = PrefixName.Parse(request.Prefix);
        if (request.PageSize > MaxPageSize)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"page_size is at most {MaxPageSize}");
        }

        await access.EnsureCanListAsync(context.GetHttpContext().User, prefix, context.CancellationToken);
        await prefixes.EnsureServedAsync(prefix, context.CancellationToken);
        var size = request.PageSize == 0 ? DefaultPageSize : (int)request.PageSize;
        var page = await handles.ListAfterAsync(prefix, DecodeToken(request.PageToken), size + 1, context.CancellationToken);
        var response = new V1.ListHandlesResponse();
        for (var i = 0; i < Math.Min(size, page.Count); i++)
        {
            response.Handles.Add(page[i].Handle);
        }

        if (page.Count > size)
        {
            response.NextPageToken = EncodeToken(page[size - 1].Key);
        }

        return response;
    }

    [Authorize(Policy = NodePolicies.Accounts)]
    public override async Task<V1.PrefixInfo> CreatePrefix(V1.CreatePrefixRequest request, ServerCallContext context)
    {
        var prefix = PrefixName.Parse(request.Prefix);
        var owner = await access.OwnerOfNewPrefixAsync(context.GetHttpContext().User, prefix, context.CancellationToken);
        await prefixes.CreateAsync(prefix, owner, context.CancellationToken);
        return new V1.PrefixInfo { Prefix = prefix.Display, NodePrefix = prefix.Key == prefixes.NodePrefix.Key };
    }

    public override async Task<V1.ListPrefixesResponse> ListPrefixes(V1.ListPrefixesRequest request, ServerCallContext context)
    {
        var response = new V1.ListPrefixesResponse();
        foreach (var prefix in await prefixes.ListAsync(context.CancellationToken))
        {
            response.Prefixes.Add(new V1.PrefixInfo { Prefix = prefix, NodePrefix = PrefixName.Parse(prefix).Key == prefixes.NodePrefix.Key });
        }

        return response;
    }

    [Authorize(Policy = NodePolicies.Operator)]
    public override async Task<V1.GetStatisticsResponse> GetStatistics(V1.GetStatisticsRequest request, ServerCallContext context)
    {
        var response = new V1.GetStatisticsResponse();
        foreach (var row in await statistics.QueryAsync(request.Prefix, request.From, request.To, context.CancellationToken))
        {
            response.Statistics.Add(new V1.PrefixStatistics
            {
                Prefix = row.Prefix,
                Day = Statistics.StatisticsReport.FormatDay(row.Day),
                Resolutions = (ulong)row.Resolutions,
                Registrations = (ulong)row.Registrations,
                Updates = (ulong)row.Updates,
                Deletions = (ulong)row.Deletions,
            });
        }

        return response;
    }

    private static string EncodeToken(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key));

    private static string? DecodeToken(string token)
    {
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            var key = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (HandleName.TryParse(key, out var name, out _) && name.Key == key)
            {
                return key;
            }
        }
        catch (FormatException)
        {
            // answered below
        }

        throw new HandleException(ResponseCode.ProtocolError, "page_token is not a token this server issued");
    }

    /// <summary>The stream's chunks become the file an import reads, through a pipe: memory holds a few chunks, not the file.</summary>
    public override async Task<V1.ImportSummary> Import(IAsyncStreamReader<V1.ImportChunk> requestStream, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellation))
        {
            throw new HandleException(ResponseCode.ProtocolError, "an import needs at least one chunk naming its format");
        }

        var first = requestStream.Current;
        var format = Bulk.BulkImport.Format(first.Format);
        var pipe = new System.IO.Pipelines.Pipe();
        var feeding = FeedAsync(first, requestStream, pipe.Writer, cancellation);
        Registry.Import.ImportResult result;
        await using (var body = pipe.Reader.AsStream())
        {
            result = await import.RunAsync(context.GetHttpContext().User, body, format, first.AllOrNothing, cancellation);
        }

        await feeding;
        var summary = new V1.ImportSummary
        {
            Read = (ulong)result.Read,
            Imported = (ulong)result.Imported,
            Existing = (ulong)result.Existing,
            Failed = (ulong)result.Failed,
            RolledBack = result.RolledBack,
            Seconds = result.Elapsed.TotalSeconds,
        };
        foreach (var error in result.Errors)
        {
            summary.Errors.Add(new V1.ImportError { Line = (ulong)error.Line, Handle = error.Handle ?? "", ResponseCode = (uint)error.Code, Message = error.Message });
        }

        return summary;
    }

    private static async Task FeedAsync(V1.ImportChunk first, IAsyncStreamReader<V1.ImportChunk> chunks, System.IO.Pipelines.PipeWriter writer, CancellationToken cancellation)
    {
        try
        {
            await writer.WriteAsync(first.Data.Memory, cancellation);
            while (await chunks.MoveNext(cancellation))
            {
                await writer.WriteAsync(chunks.Current.Data.Memory, cancellation);
            }

            await writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await writer.CompleteAsync(e);
        }
    }
}

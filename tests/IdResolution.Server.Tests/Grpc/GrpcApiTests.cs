using System.Net;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using IdResolution.Contracts.V1;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Grpc;

/// <summary>The v1 gRPC services over real HTTP/2 cleartext; run once per registry provider.</summary>
public abstract class GrpcApiTests(NodeFixture fixture)
{
    private NodeServer Node => fixture.Node;

    private Resolver.ResolverClient ResolverClient => new(Node.Channel);

    private Contracts.V1.Registry.RegistryClient RegistryClient => new(Node.Channel);

    private static string NewHandle() => $"{NodeFixture.EnterprisePrefix}/G-{Guid.NewGuid():N}";

    private static HandleValue Value(uint index, string type, string text) => new() { Index = index, Type = type, Data = ByteString.CopyFromUtf8(text), Ttl = 3600 };

    private Task<WriteHandleResponse> CreateAsync(string handle, params HandleValue[] values) =>
        RegistryClient.CreateHandleAsync(new CreateHandleRequest { Handle = handle, Values = { values } }, Node.OperatorMetadata()).ResponseAsync;

    private static void AssertStatus(RpcException e, StatusCode status, int responseCode)
    {
        Assert.Equal(status, e.StatusCode);
        Assert.False(string.IsNullOrEmpty(e.Status.Detail));
        var info = e.GetRpcStatus()?.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal("idresolution", info.Domain);
        Assert.Equal(responseCode.ToString(System.Globalization.CultureInfo.InvariantCulture), info.Metadata["responseCode"]);
    }

    [Fact]
    public async Task Create_ThenResolve_ReturnsValuesWithTimestamps()
    {
        var handle = NewHandle();
        var created = await CreateAsync(handle, Value(1, "URL", "https://example.com/g"), Value(2000, "productName", "洗发水"));

        var resolved = await ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle });

        Assert.Equal(1UL, created.Version);
        Assert.Equal(1U, resolved.ResponseCode);
        Assert.Equal(handle, resolved.Handle);
        Assert.Equal(["https://example.com/g", "洗发水"], resolved.Values.Select(v => v.Data.ToStringUtf8()));
        Assert.Equal(3600U, resolved.Values[0].Ttl);
        Assert.True(resolved.Values[0].Timestamp.Seconds > 1_700_000_000);
    }

    [Fact]
    public async Task Resolve_OfAHotRecord_AnswersTheSameFromItsKeptBytes()
    {
        var handle = NewHandle();
        await CreateAsync(handle, Value(1, "URL", "https://example.com/hot"), Value(2000, "productName", "洗发水"));

        // The first answer is encoded for its call; from the second use on, the node keeps those bytes and sends them.
        var answers = new List<ResolveResponse>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle }));
        }

        Assert.Equal(["https://example.com/hot", "洗发水"], answers[^1].Values.Select(v => v.Data.ToStringUtf8()));
        Assert.Equal(handle, answers[^1].Handle);
        Assert.All(answers, a => Assert.Equal(answers[0], a));
    }

    [Fact]
    public async Task Resolve_WithFilters_AndNoMatch_Returns200Code()
    {
        var handle = NewHandle();
        await CreateAsync(handle, Value(1, "URL", "u"), Value(2, "EMAIL", "e"), Value(3, "URL.mobile", "m"));

        var byType = await ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle, TypeFilter = { "URL." } });
        var byIndex = await ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle, IndexFilter = { 2 } });
        var none = await ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle, TypeFilter = { "HS_ADMIN" } });

        Assert.Equal([1U, 3U], byType.Values.Select(v => v.Index));
        Assert.Equal([2U], byIndex.Values.Select(v => v.Index));
        Assert.Equal(200U, none.ResponseCode);
        Assert.Empty(none.Values);
    }

    [Fact]
    public async Task Resolve_Errors_CarryHandleCodes()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => ResolverClient.ResolveAsync(new ResolveRequest { Handle = NewHandle() }).ResponseAsync);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => ResolverClient.ResolveAsync(new ResolveRequest { Handle = "nope" }).ResponseAsync);
        var foreign = await Assert.ThrowsAsync<RpcException>(() => ResolverClient.ResolveAsync(new ResolveRequest { Handle = "99.1/x" }).ResponseAsync);

        AssertStatus(unknown, StatusCode.NotFound, 100);
        AssertStatus(invalid, StatusCode.InvalidArgument, 102);
        AssertStatus(foreign, StatusCode.FailedPrecondition, 301);
    }

    [Fact]
    public async Task Update_ReplaceAllOrUpsert_BumpsVersion()
    {
        var handle = NewHandle();
        await CreateAsync(handle, Value(1, "URL", "a"), Value(2, "EMAIL", "e"));

        var upserted = await RegistryClient.UpdateHandleAsync(new UpdateHandleRequest { Handle = handle, Values = { Value(2, "EMAIL", "e2"), Value(3, "NOTE", "n") } }, Node.OperatorMetadata());
        var afterUpsert = await ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle });
        var replaced = await RegistryClient.UpdateHandleAsync(new UpdateHandleRequest { Handle = handle, ReplaceAll = true, Values = { Value(9, "URL", "z") } }, Node.OperatorMetadata());
        var afterReplace = await ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle });

        Assert.Equal(2UL, upserted.Version);
        Assert.Equal(["a", "e2", "n"], afterUpsert.Values.Select(v => v.Data.ToStringUtf8()));
        Assert.Equal(3UL, replaced.Version);
        Assert.Equal([9U], afterReplace.Values.Select(v => v.Index));
    }

    [Fact]
    public async Task Writes_Errors_CarryHandleCodes()
    {
        var handle = NewHandle();
        await CreateAsync(handle, Value(1, "URL", "a"));

        var duplicate = await Assert.ThrowsAsync<RpcException>(() => CreateAsync(handle, Value(1, "URL", "a")));
        var foreign = await Assert.ThrowsAsync<RpcException>(() => CreateAsync("99.1/x", Value(1, "URL", "a")));
        var badValue = await Assert.ThrowsAsync<RpcException>(() => CreateAsync(NewHandle(), Value(0, "URL", "a")));
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            RegistryClient.UpdateHandleAsync(new UpdateHandleRequest { Handle = NewHandle(), Values = { Value(1, "URL", "a") } }, Node.OperatorMetadata()).ResponseAsync);
        var missingValue = await Assert.ThrowsAsync<RpcException>(() =>
            RegistryClient.DeleteHandleAsync(new DeleteHandleRequest { Handle = handle, Indexes = { 42 } }, Node.OperatorMetadata()).ResponseAsync);

        AssertStatus(duplicate, StatusCode.AlreadyExists, 101);
        AssertStatus(foreign, StatusCode.FailedPrecondition, 301);
        AssertStatus(badValue, StatusCode.InvalidArgument, 202);
        AssertStatus(missing, StatusCode.NotFound, 100);
        AssertStatus(missingValue, StatusCode.NotFound, 200);
    }

    [Fact]
    public async Task Writes_WithoutOrWithWrongToken_AreUnauthenticated()
    {
        var request = new CreateHandleRequest { Handle = NewHandle(), Values = { Value(1, "URL", "a") } };

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => RegistryClient.CreateHandleAsync(request).ResponseAsync);
        var wrong = await Assert.ThrowsAsync<RpcException>(() =>
            RegistryClient.CreateHandleAsync(request, new Metadata { { "authorization", "Bearer wrong" } }).ResponseAsync);

        AssertStatus(anonymous, StatusCode.Unauthenticated, 402);
        AssertStatus(wrong, StatusCode.Unauthenticated, 403);
    }

    [Fact]
    public async Task Delete_ValuesThenHandle()
    {
        var handle = NewHandle();
        await CreateAsync(handle, Value(1, "URL", "a"), Value(2, "EMAIL", "e"));

        var removed = await RegistryClient.DeleteHandleAsync(new DeleteHandleRequest { Handle = handle, Indexes = { 2 } }, Node.OperatorMetadata());
        var afterRemove = await ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle });
        await RegistryClient.DeleteHandleAsync(new DeleteHandleRequest { Handle = handle }, Node.OperatorMetadata());
        var gone = await Assert.ThrowsAsync<RpcException>(() => ResolverClient.ResolveAsync(new ResolveRequest { Handle = handle }).ResponseAsync);

        Assert.Equal(2UL, removed.Version);
        Assert.Equal([1U], afterRemove.Values.Select(v => v.Index));
        AssertStatus(gone, StatusCode.NotFound, 100);
    }

    [Fact]
    public async Task BatchResolve_AnswersEachHandleInOrder()
    {
        var found = NewHandle();
        await CreateAsync(found, Value(1, "URL", "a"), Value(2, "EMAIL", "e"));
        var request = new BatchResolveRequest { Handles = { found, NewHandle(), "bad", "99.1/x", found }, TypeFilter = { "URL" } };

        var response = await ResolverClient.BatchResolveAsync(request);

        Assert.Equal([1U, 100U, 102U, 301U, 1U], response.Results.Select(r => r.ResponseCode));
        Assert.Equal(["a"], response.Results[0].Values.Select(v => v.Data.ToStringUtf8()));
        Assert.Equal(found, response.Results[4].Handle);
        Assert.All(response.Results.Skip(1).Take(3), r => Assert.NotEmpty(r.Message));
    }

    [Fact]
    public async Task BatchResolve_OverTheLimit_IsInvalidArgument()
    {
        var request = new BatchResolveRequest();
        request.Handles.AddRange(Enumerable.Range(0, 1001).Select(i => $"{NodeFixture.EnterprisePrefix}/{i}"));

        var e = await Assert.ThrowsAsync<RpcException>(() => ResolverClient.BatchResolveAsync(request).ResponseAsync);

        AssertStatus(e, StatusCode.InvalidArgument, 4);
    }

    [Fact]
    public async Task BatchResolve_OfAThousand_ResolvesAll_FromPreEncodedAndFreshResults()
    {
        var handle = NewHandle();
        await CreateAsync(handle, Value(1, "URL", "a"));
        var request = new BatchResolveRequest();
        request.Handles.AddRange(Enumerable.Repeat(handle, 999));
        request.Handles.Add(NewHandle());

        var response = await ResolverClient.BatchResolveAsync(request);

        Assert.Equal(1000, response.Results.Count);
        Assert.All(response.Results.Take(999), r =>
        {
            Assert.Equal(1U, r.ResponseCode);
            Assert.Equal(handle, r.Handle);
            Assert.Equal("a", Assert.Single(r.Values).Data.ToStringUtf8());
        });
        Assert.Equal(100U, response.Results[999].ResponseCode);
    }

    [Fact]
    public async Task BatchResolve_OfAThousandLongNames_OverOneMegabyte_IsAccepted()
    {
        var request = new BatchResolveRequest();
        request.Handles.AddRange(Enumerable.Range(0, 1000).Select(i => $"{NodeFixture.EnterprisePrefix}/{i}-{new string('x', 1100)}"));

        var response = await ResolverClient.BatchResolveAsync(request);

        Assert.All(response.Results, r => Assert.Equal(100U, r.ResponseCode));
    }

    [Fact]
    public async Task Record_OverTheSizeLimit_IsInvalid()
    {
        var values = Enumerable.Range(1, 20).Select(i => new HandleValue { Index = (uint)i, Type = "BLOB", Data = ByteString.CopyFrom(new byte[60 * 1024]) }).ToArray();

        var e = await Assert.ThrowsAsync<RpcException>(() => CreateAsync(NewHandle(), values));

        AssertStatus(e, StatusCode.InvalidArgument, 202);
    }

    [Fact]
    public async Task BatchResolve_WhoseAnswerWouldBeHuge_IsRefused_NotSent()
    {
        var handle = NewHandle();
        await CreateAsync(handle, Enumerable.Range(1, 14).Select(i => new HandleValue { Index = (uint)i, Type = "BLOB", Data = ByteString.CopyFrom(new byte[60 * 1024]) }).ToArray());
        var request = new BatchResolveRequest();
        request.Handles.AddRange(Enumerable.Repeat(handle, 1000));

        var e = await Assert.ThrowsAsync<RpcException>(() => ResolverClient.BatchResolveAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task ListHandles_ForgedPageToken_IsInvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() =>
            RegistryClient.ListHandlesAsync(new ListHandlesRequest { Prefix = NodeFixture.EnterprisePrefix, PageToken = "AA==" }, Node.OperatorMetadata()).ResponseAsync);

        AssertStatus(e, StatusCode.InvalidArgument, 4);
    }

    [Fact]
    public async Task ListHandles_PagesWithTokens()
    {
        var prefix = $"88.118.8.G{Random.Shared.Next(1_000_000)}";
        await RegistryClient.CreatePrefixAsync(new CreatePrefixRequest { Prefix = prefix }, Node.OperatorMetadata());
        foreach (var suffix in new[] { "b", "a", "c" })
        {
            await CreateAsync($"{prefix}/{suffix}", Value(1, "URL", "x"));
        }

        var first = await RegistryClient.ListHandlesAsync(new ListHandlesRequest { Prefix = prefix, PageSize = 2 }, Node.OperatorMetadata());
        var second = await RegistryClient.ListHandlesAsync(new ListHandlesRequest { Prefix = prefix, PageSize = 2, PageToken = first.NextPageToken }, Node.OperatorMetadata());
        var prefixes = await RegistryClient.ListPrefixesAsync(new ListPrefixesRequest(), Node.OperatorMetadata());

        Assert.Equal([$"{prefix}/a", $"{prefix}/b"], first.Handles);
        Assert.Equal([$"{prefix}/c"], second.Handles);
        Assert.Empty(second.NextPageToken);
        Assert.Contains(prefixes.Prefixes, p => p.Prefix == "88.118.8" && p.NodePrefix);
        Assert.Contains(prefixes.Prefixes, p => p.Prefix == prefix && !p.NodePrefix);
    }

    [Fact]
    public async Task MalformedProtobuf_IsAnErrorStatus_NotACrash()
    {
        using var client = new HttpClient();
        // A gRPC frame (flag 0, length 4) whose payload is not a valid ResolveRequest.
        using var content = new ByteArrayContent([0, 0, 0, 0, 4, 0x0A, 0xFF, 0xFF, 0xFF]);
        content.Headers.ContentType = new("application/grpc");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Node.GrpcUrl, "/idresolution.v1.Resolver/Resolve"))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TE.ParseAdd("trailers");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.Single()
            : response.Headers.GetValues("grpc-status").Single();
        Assert.Equal(((int)StatusCode.InvalidArgument).ToString(System.Globalization.CultureInfo.InvariantCulture), status);
    }

    [Fact]
    public async Task HealthAndReflection_AreServed()
    {
        var health = await new Health.HealthClient(Node.Channel).CheckAsync(new HealthCheckRequest());
        using var reflection = new ServerReflection.ServerReflectionClient(Node.Channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        var services = reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Contains("idresolution.v1.Resolver", services);
        Assert.Contains("idresolution.v1.Registry", services);
    }
}

public sealed class SqliteGrpcApiTests(SqliteNodeFixture fixture) : GrpcApiTests(fixture), IClassFixture<SqliteNodeFixture>;

public sealed class PostgresGrpcApiTests(PostgresNodeFixture fixture) : GrpcApiTests(fixture), IClassFixture<PostgresNodeFixture>;

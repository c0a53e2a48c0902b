using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Import;

public sealed class PostgresImportTests(PostgresNodeFixture fixture) : ImportTests(fixture), IClassFixture<PostgresNodeFixture>;

public sealed class SqliteImportTests(SqliteNodeFixture fixture) : ImportTests(fixture), IClassFixture<SqliteNodeFixture>;

/// <summary>Bulk registration through the real server: mixed rows, all-or-nothing, resuming, and coherence with the caches.</summary>
public abstract class ImportTests(NodeFixture fixture)
{
    private NodeServer Node => fixture.Node;

    private async Task<JsonElement> ImportAsync(string body, string contentType, string key = NodeServer.OperatorToken, string query = "", HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/import" + query) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Authorization = NodeServer.Bearer(key);
        using var response = await Node.Http.SendAsync(request);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {answer}");
        return answer;
    }

    private async Task<string> TemplateAsync()
    {
        var name = "imp-" + Guid.NewGuid().ToString("N")[..8];
        (await Node.SendAsync(HttpMethod.Post, "/api/templates?publish=true", JsonSerializer.Serialize(new
        {
            name,
            version = "1",
            fields = new object[]
            {
                new { name = "productName", index = 2000, type = "string", required = true },
                new { name = "batchNumber", index = 2001, type = "string", required = true },
                new { name = "productionDate", index = 2002, type = "date" },
            },
        }))).EnsureSuccessStatusCode();
        return $"{name}@1";
    }

    [Theory]
    [InlineData("Text/CSV", "")]
    [InlineData("APPLICATION/X-NDJSON", "")]
    [InlineData("application/octet-stream", "?format=JSONL")]
    public async Task FormatNames_MatchWhateverTheirCase(string contentType, string query)
    {
        var handle = $"{NodeFixture.EnterprisePrefix}/CASE-{Guid.NewGuid():N}";
        var body = contentType.Contains("csv", StringComparison.OrdinalIgnoreCase)
            ? $"handle,1:URL\n{handle},https://example.com/case\n"
            : $$"""{"handle":"{{handle}}","values":[{"index":1,"type":"URL","data":"https://example.com/case"}]}""" + "\n";

        var result = await ImportAsync(body, contentType, query: query);

        Assert.Equal(1, result.GetProperty("imported").GetInt32());
        Assert.Equal("https://example.com/case", await Node.UrlAsync(handle));
    }

    [Fact]
    public async Task MixedRows_KeepTheGoodOnes_AndReportEachBadOneWithItsLine()
    {
        var (tenant, other) = (await Tenant.CreateAsync(Node), await Tenant.CreateAsync(Node));
        var writer = await tenant.IssueAsync(Node, "writer");
        var template = await TemplateAsync();
        var csv = string.Join("\n",
            "handle,template,1:URL,2000:productName,2001:batchNumber,2002:productionDate",
            $"{tenant.Prefix}/P-1,{template},https://p.example/1,\"Shampoo, 500 ml\",B1,2026-03-17",
            $"{tenant.Prefix}/P-2,{template},https://p.example/2,Soap,,2026-03-17",
            "no-slash,,https://x.example,,,",
            $"88.118.8.{Random.Shared.Next(100_000, 999_999)}/P-4,,https://x.example,,,",
            $"{tenant.Prefix}/P-1,,https://p.example/again,,,",
            $"{other.Prefix}/P-6,,https://x.example,,,",
            $"{tenant.Prefix}/P-7,,https://p.example/7,Plain,,",
            $"{tenant.Prefix}/P-8,{template},https://p.example/8,Gel,B8,17.03.2026");

        var result = await ImportAsync(csv, "text/csv", writer.Secret);
        var errors = result.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt64(), e.GetProperty("responseCode").GetInt32())).ToList();
        var first = await Node.Http.GetFromJsonAsync<JsonElement>($"/api/handles/{tenant.Prefix}/P-1");

        Assert.Equal((8, 2, 6), (result.GetProperty("read").GetInt32(), result.GetProperty("imported").GetInt32(), result.GetProperty("failed").GetInt32()));
        Assert.Equal([(3, 202), (4, 102), (5, 301), (6, 101), (7, 401), (9, 202)], errors);
        Assert.Equal("Shampoo, 500 ml", first.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("index").GetInt32() == 2000).GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync($"/api/handles/{tenant.Prefix}/P-7")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/api/handles/{tenant.Prefix}/P-2")).StatusCode);
    }

    [Fact]
    public async Task AllOrNothing_StoresNothingWhenOneRowFails_AndEverythingOtherwise()
    {
        var tenant = await Tenant.CreateAsync(Node);
        string Line(int i, string url) => JsonSerializer.Serialize(new { handle = $"{tenant.Prefix}/J-{i}", values = new[] { new { index = 1, type = "URL", data = url } } });
        var withBad = string.Join("\n", Line(1, "https://j.example/1"), """{"handle":"broken""", Line(3, "https://j.example/3"));
        var good = string.Join("\n", Line(1, "https://j.example/1"), Line(3, "https://j.example/3"));

        var refused = await ImportAsync(withBad, "application/x-ndjson", query: "?mode=all-or-nothing", expected: HttpStatusCode.BadRequest);
        var missing = await Node.Http.GetAsync($"/api/handles/{tenant.Prefix}/J-1");
        var accepted = await ImportAsync(good, "application/x-ndjson", query: "?mode=all-or-nothing");

        Assert.True(refused.GetProperty("rolledBack").GetBoolean());
        Assert.Equal(2, refused.GetProperty("errors")[0].GetProperty("line").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(2, accepted.GetProperty("imported").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync($"/api/handles/{tenant.Prefix}/J-3")).StatusCode);
    }

    [Fact]
    public async Task ASecondRunOfAFile_CompletesWhatTheFirstDid_WithoutDuplicates()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var rows = Enumerable.Range(0, 25_000).Select(i => $"{tenant.Prefix}/R-{i:D6},https://r.example/{i}").ToList();
        var header = "handle,1:URL\n";

        // The first run got through 40% of the file before it was cut off.
        var partial = await ImportAsync(header + string.Join("\n", rows.Take(10_000)), "text/csv");
        var full = await ImportAsync(header + string.Join("\n", rows), "text/csv");
        using var listing = await Node.SendAsync(HttpMethod.Get, $"/api/handles?prefix={tenant.Prefix}&pageSize=1");

        Assert.Equal(10_000, partial.GetProperty("imported").GetInt32());
        Assert.Equal((25_000, 15_000, 10_000, 0), (full.GetProperty("read").GetInt32(), full.GetProperty("imported").GetInt32(), full.GetProperty("existing").GetInt32(), full.GetProperty("failed").GetInt32()));
        Assert.Equal("25000", (await listing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("totalCount").GetString());
    }

    [Fact]
    public async Task AnUploadCutOffMidway_IsCompletedBySendingTheFileAgain()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var file = Encoding.UTF8.GetBytes("handle,1:URL\n" + string.Join("\n", Enumerable.Range(0, 30_000).Select(i => $"{tenant.Prefix}/C-{i:D6},https://c.example/{i}")) + "\n");

        using (var cut = new HttpRequestMessage(HttpMethod.Post, "/api/import") { Content = new CutOffContent(file, file.Length * 2 / 3) })
        {
            cut.Headers.Authorization = NodeServer.Bearer();
            await Assert.ThrowsAnyAsync<Exception>(() => Node.Http.SendAsync(cut));
        }

        var again = await ImportAsync(Encoding.UTF8.GetString(file), "text/csv");
        using var listing = await Node.SendAsync(HttpMethod.Get, $"/api/handles?prefix={tenant.Prefix}&pageSize=1");

        Assert.Equal(30_000, again.GetProperty("imported").GetInt32() + again.GetProperty("existing").GetInt32());
        Assert.Equal(0, again.GetProperty("failed").GetInt32());
        Assert.Equal("30000", (await listing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("totalCount").GetString());
    }

    /// <summary>A CSV body whose upload breaks after <paramref name="cutAt"/> bytes, as a dropped connection would.</summary>
    private sealed class CutOffContent(byte[] file, int cutAt) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(file.AsMemory(0, cutAt));
            await stream.FlushAsync();
            throw new IOException("connection dropped");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = file.Length;
            Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            return true;
        }
    }

    [Fact]
    public async Task AnIdentifierAskedForBeforeItsImport_ResolvesRightAfterIt()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var handle = $"{tenant.Prefix}/LATE-1";
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"/api/handles/{handle}")).StatusCode); // cached as not registered

        await ImportAsync($"handle,1:URL\n{handle},https://late.example", "text/csv");

        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync($"/api/handles/{handle}")).StatusCode);
    }

    [Fact]
    public async Task AGrpcStream_ImportsTheFileItCarries_SplitAnywhere()
    {
        var tenant = await Tenant.CreateAsync(Node);
        var csv = Encoding.UTF8.GetBytes($"handle,1:URL\n{tenant.Prefix}/G-1,https://g.example/1\n{tenant.Prefix}/G-2,https://g.example/2\nbroken\n{tenant.Prefix}/G-3,https://g.example/3\n");
        var registry = new Contracts.V1.Registry.RegistryClient(Node.Channel);

        using var call = registry.Import(Node.OperatorMetadata());
        await call.RequestStream.WriteAsync(new Contracts.V1.ImportChunk { Format = "csv", Data = Google.Protobuf.ByteString.CopyFrom(csv, 0, 25) });
        await call.RequestStream.WriteAsync(new Contracts.V1.ImportChunk { Data = Google.Protobuf.ByteString.CopyFrom(csv, 25, csv.Length - 25) });
        await call.RequestStream.CompleteAsync();
        var summary = await call.ResponseAsync;

        using var refusedCall = registry.Import(Node.OperatorMetadata());
        await refusedCall.RequestStream.WriteAsync(new Contracts.V1.ImportChunk { Format = "xlsx" });
        await refusedCall.RequestStream.CompleteAsync();
        var refused = await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(() => refusedCall.ResponseAsync);

        Assert.Equal((4ul, 3ul, 1ul), (summary.Read, summary.Imported, summary.Failed));
        Assert.Equal(4ul, summary.Errors.Single().Line);
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync($"/api/handles/{tenant.Prefix}/G-3")).StatusCode);
        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);
    }

    [Fact]
    public async Task HostileLines_AreReportedOneByOne_WithoutHoldingThemOrFailingTheImport()
    {
        var tenant = await Tenant.CreateAsync(Node);
        string Line(int i) => JsonSerializer.Serialize(new { handle = $"{tenant.Prefix}/H-{i}", values = new[] { new { index = 1, type = "URL", data = "https://h.example" } } });
        var body = string.Join("\n",
            Line(1),
            "{\"handle\":\"" + new string('x', 2 * 1024 * 1024) + "\"}",
            Line(3),
            $$"""{"handle":"{{tenant.Prefix}}/H-4","template":"\ud800","values":[]}""",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            Line(6));

        var result = await ImportAsync(body, "application/x-ndjson");

        Assert.Equal(3, result.GetProperty("imported").GetInt32());
        Assert.Equal([2, 4, 5], result.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()));
    }

    [Fact]
    public async Task BadHeadersAndFormats_AreRefusedBeforeAnyRow()
    {
        var bad = await ImportAsync("handle,colour\nx/y,red", "text/csv", expected: HttpStatusCode.BadRequest);
        var noHandle = await ImportAsync("1:URL\nhttps://x", "text/csv", expected: HttpStatusCode.BadRequest);
        var format = await ImportAsync("whatever", "application/pdf", expected: HttpStatusCode.BadRequest);
        var twice = await ImportAsync("handle,1:URL,1:URL\nx/y,a,b", "text/csv", expected: HttpStatusCode.BadRequest);

        Assert.Contains("index:type", bad.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("no 'handle' column", noHandle.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("not an import format", format.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}

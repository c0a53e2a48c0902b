using System.Net;
using System.Text.Json;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Http;

/// <summary>The Handle REST API through the real server; run once per registry provider.</summary>
public abstract class HandleApiTests(NodeFixture fixture)
{
    private const string UrlValue = """{"index":1,"type":"URL","data":{"format":"string","value":"https://example.com/p"}}""";

    private NodeServer Node => fixture.Node;

    private static string NewHandle() => $"{NodeFixture.EnterprisePrefix}/T-{Guid.NewGuid():N}";

    private async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<HttpResponseMessage> PutAsync(string handle, string body, string query = "") =>
        await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}{query}", body);

    private async Task AssertCodeAsync(HttpResponseMessage response, HttpStatusCode status, int responseCode)
    {
        var body = await JsonAsync(response);
        Assert.True(status == response.StatusCode, $"expected HTTP {status}, got {response.StatusCode}: {body}");
        Assert.Equal(responseCode, body.GetProperty("responseCode").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.TryGetProperty("message", out var m) ? m.GetString() : "ok"));
    }

    [Fact]
    public async Task Put_NewHandle_Returns201_ThenResolvesInReferenceShape()
    {
        var handle = NewHandle();

        using var created = await PutAsync(handle, $$"""{"values":[{{UrlValue}},{"index":2000,"type":"productName","data":"洗发水"}]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(handle, (await JsonAsync(created)).GetProperty("handle").GetString());

        using var resolved = await Node.Http.GetAsync($"/api/handles/{handle}");
        var body = await JsonAsync(resolved);
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal(1, body.GetProperty("responseCode").GetInt32());
        Assert.Equal(handle, body.GetProperty("handle").GetString());
        var values = body.GetProperty("values");
        Assert.Equal(2, values.GetArrayLength());
        Assert.Equal("https://example.com/p", values[0].GetProperty("data").GetProperty("value").GetString());
        Assert.Equal("洗发水", values[1].GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(86400, values[0].GetProperty("ttl").GetInt32());
        var timestamp = DateTimeOffset.Parse(values[0].GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - timestamp).TotalMinutes) < 5);
    }

    [Fact]
    public async Task Put_WithOverwriteFalse_OnExistingHandle_Returns409AndCode101()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $"[{UrlValue}]")).Dispose();

        using var again = await PutAsync(handle, $"[{UrlValue}]", "?overwrite=false");

        await AssertCodeAsync(again, HttpStatusCode.Conflict, 101);
    }

    [Fact]
    public async Task Put_Replace_ReplacesAllValues_AndReturns200()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $$"""[{{UrlValue}},{"index":2,"type":"EMAIL","data":"a@b.c"}]""")).Dispose();

        using var replaced = await PutAsync(handle, """[{"index":3,"type":"URL","data":"https://new.example"}]""");
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        var values = (await JsonAsync(await Node.Http.GetAsync($"/api/handles/{handle}"))).GetProperty("values");
        Assert.Equal(3, Assert.Single(values.EnumerateArray()).GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task Put_WithIndex_AddsOrReplacesOnlyThoseValues()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $$"""[{{UrlValue}},{"index":2,"type":"EMAIL","data":"a@b.c"}]""")).Dispose();

        using var changed = await PutAsync(handle, """[{"index":2,"type":"EMAIL","data":"new@b.c"},{"index":5,"type":"NOTE","data":"ignored"}]""", "?index=2");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        using var added = await PutAsync(handle, """[{"index":7,"type":"NOTE","data":"n"}]""", "?index=7");
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);

        var values = (await JsonAsync(await Node.Http.GetAsync($"/api/handles/{handle}"))).GetProperty("values");
        Assert.Equal([1, 2, 7], values.EnumerateArray().Select(v => v.GetProperty("index").GetInt32()));
        Assert.Equal("new@b.c", values[1].GetProperty("data").GetProperty("value").GetString());
    }

    [Fact]
    public async Task Put_WithIndexAndOverwriteFalse_OnExistingValue_Returns409AndCode201()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $"[{UrlValue}]")).Dispose();

        using var response = await PutAsync(handle, $"[{UrlValue}]", "?index=1&overwrite=false");

        await AssertCodeAsync(response, HttpStatusCode.Conflict, 201);
    }

    [Fact]
    public async Task Put_WithIndex_OnUnknownHandle_Returns404()
    {
        using var response = await PutAsync(NewHandle(), $"[{UrlValue}]", "?index=1");

        await AssertCodeAsync(response, HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Resolve_WithTypeAndIndexFilters_ReturnsTheUnion()
    {
        var handle = NewHandle();
        (await PutAsync(handle, """
            [{"index":1,"type":"URL","data":"https://a"},{"index":2,"type":"URL.mobile","data":"https://m"},
             {"index":3,"type":"EMAIL","data":"e@x"},{"index":2000,"type":"productName","data":"p"}]
            """)).Dispose();

        async Task<int[]> Indexes(string query) =>
            (await JsonAsync(await Node.Http.GetAsync($"/api/handles/{handle}?{query}"))).GetProperty("values")
                .EnumerateArray().Select(v => v.GetProperty("index").GetInt32()).ToArray();

        Assert.Equal(new[] { 1 }, await Indexes("type=URL"));
        Assert.Equal(new[] { 1, 2 }, await Indexes("type=URL."));
        Assert.Equal(new[] { 3, 2000 }, await Indexes("type=EMAIL&index=2000"));
    }

    [Fact]
    public async Task Resolve_WithFilterMatchingNothing_Returns200AndCode200()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $"[{UrlValue}]")).Dispose();

        using var response = await Node.Http.GetAsync($"/api/handles/{handle}?type=EMAIL");

        await AssertCodeAsync(response, HttpStatusCode.OK, 200);
    }

    [Fact]
    public async Task Resolve_BadIndexParameter_Returns400AndCode4()
    {
        using var response = await Node.Http.GetAsync($"/api/handles/{NewHandle()}?index=abc");

        await AssertCodeAsync(response, HttpStatusCode.BadRequest, 4);
    }

    [Fact]
    public async Task Resolve_UnknownHandle_Returns404AndCode100()
    {
        using var response = await Node.Http.GetAsync($"/api/handles/{NewHandle()}");

        await AssertCodeAsync(response, HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Resolve_InvalidHandle_Returns400AndCode102()
    {
        using var response = await Node.Http.GetAsync("/api/handles/no-slash-here");

        await AssertCodeAsync(response, HttpStatusCode.BadRequest, 102);
    }

    [Fact]
    public async Task Resolve_HandleUnderForeignPrefix_Returns400AndCode301()
    {
        using var response = await Node.Http.GetAsync("/api/handles/99.1.2/whatever");

        await AssertCodeAsync(response, HttpStatusCode.BadRequest, 301);
    }

    [Fact]
    public async Task Resolve_PrefixIsCaseInsensitive_SuffixIsNot()
    {
        var prefix = $"88.118.8.X{Random.Shared.Next(100_000)}";
        (await Node.SendAsync(HttpMethod.Post, $"/api/prefixes/{prefix}")).Dispose();
        (await PutAsync($"{prefix}/Case", $"[{UrlValue}]")).Dispose();

        using var lower = await Node.Http.GetAsync($"/api/handles/{prefix.ToLowerInvariant()}/Case");
        using var otherSuffix = await Node.Http.GetAsync($"/api/handles/{prefix}/case");

        Assert.Equal(HttpStatusCode.OK, lower.StatusCode);
        Assert.Equal($"{prefix}/Case", (await JsonAsync(lower)).GetProperty("handle").GetString());
        await AssertCodeAsync(otherSuffix, HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Resolve_EncodedSuffixCharacters_RoundTrip()
    {
        var handle = $"{NodeFixture.EnterprisePrefix}/lot 7?#洗-{Guid.NewGuid():N}";
        var path = $"/api/handles/{NodeFixture.EnterprisePrefix}/{Uri.EscapeDataString(handle[(NodeFixture.EnterprisePrefix.Length + 1)..])}";
        using var created = await Node.SendAsync(HttpMethod.Put, path, $"[{UrlValue}]");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var resolved = await Node.Http.GetAsync(path);

        Assert.Equal(handle, (await JsonAsync(resolved)).GetProperty("handle").GetString());
    }

    [Fact]
    public async Task Delete_Index_RemovesOnlyThatValue_ThenWholeHandle()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $$"""[{{UrlValue}},{"index":2,"type":"EMAIL","data":"a@b.c"}]""")).Dispose();

        using var removed = await Node.SendAsync(HttpMethod.Delete, $"/api/handles/{handle}?index=2");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        var values = (await JsonAsync(await Node.Http.GetAsync($"/api/handles/{handle}"))).GetProperty("values");
        Assert.Equal(1, Assert.Single(values.EnumerateArray()).GetProperty("index").GetInt32());

        using var missingValue = await Node.SendAsync(HttpMethod.Delete, $"/api/handles/{handle}?index=2");
        await AssertCodeAsync(missingValue, HttpStatusCode.BadRequest, 200);

        using var deleted = await Node.SendAsync(HttpMethod.Delete, $"/api/handles/{handle}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        await AssertCodeAsync(await Node.Http.GetAsync($"/api/handles/{handle}"), HttpStatusCode.NotFound, 100);
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Delete, $"/api/handles/{handle}"), HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Writes_WithoutToken_Return401AndCode402()
    {
        var handle = NewHandle();

        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", $"[{UrlValue}]", authorised: false), HttpStatusCode.Unauthorized, 402);
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Delete, $"/api/handles/{handle}", authorised: false), HttpStatusCode.Unauthorized, 402);
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Post, "/api/prefixes/88.118.8.77", authorised: false), HttpStatusCode.Unauthorized, 402);
        await AssertCodeAsync(await Node.Http.GetAsync($"/api/handles/{handle}"), HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task Writes_WithWrongToken_Return403AndCode403()
    {
        using var request = Node.Request(HttpMethod.Put, $"/api/handles/{NewHandle()}", $"[{UrlValue}]", authorised: false);
        request.Headers.Authorization = NodeServer.Bearer("not-a-key");

        await AssertCodeAsync(await Node.Http.SendAsync(request), HttpStatusCode.Forbidden, 403);
    }

    [Fact]
    public async Task Put_UnderForeignPrefix_Returns400AndCode301()
    {
        await AssertCodeAsync(await PutAsync("99.9/x", $"[{UrlValue}]"), HttpStatusCode.BadRequest, 301);
    }

    [Fact]
    public async Task ValueWritesAndDeletes_UnderForeignPrefix_Return400AndCode301()
    {
        await AssertCodeAsync(await PutAsync("99.9/x", $"[{UrlValue}]", "?index=1"), HttpStatusCode.BadRequest, 301);
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Delete, "/api/handles/99.9/x"), HttpStatusCode.BadRequest, 301);
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Delete, "/api/handles/99.9/x?index=1"), HttpStatusCode.BadRequest, 301);
    }

    [Fact]
    public async Task Prefix_IsServedOrNot()
    {
        using var served = await Node.Http.GetAsync($"/api/prefixes/{NodeFixture.EnterprisePrefix}");
        using var other = await Node.Http.GetAsync("/api/prefixes/88.118.8.424242");

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(NodeFixture.EnterprisePrefix, (await JsonAsync(served)).GetProperty("prefix").GetString());
        await AssertCodeAsync(other, HttpStatusCode.NotFound, 100);
    }

    [Fact]
    public async Task List_PageBeyondRange_Returns400AndCode4()
    {
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Get, $"/api/handles?prefix={NodeFixture.EnterprisePrefix}&page=300000&pageSize=10000"), HttpStatusCode.BadRequest, 4);
    }

    [Theory]
    [InlineData("[{", 4)]
    [InlineData("not json", 4)]
    [InlineData("""[{"index":0,"type":"URL","data":"x"}]""", 202)]
    [InlineData("""[{"index":1,"type":"URL","data":"x"},{"index":1,"type":"EMAIL","data":"y"}]""", 202)]
    [InlineData("""[{"index":1,"type":"URL","data":{"format":"hex","value":"zz"}}]""", 202)]
    [InlineData("""{"handle":"88.118.8.1001/other","values":[]}""", 102)]
    public async Task Put_MalformedBody_Returns400WithCode(string body, int code)
    {
        await AssertCodeAsync(await PutAsync(NewHandle(), body), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Put_OversizedBody_Returns413()
    {
        var big = $$"""[{"index":1,"type":"NOTE","data":"{{new string('a', 2 * 1024 * 1024)}}"}]""";

        using var request = Node.Request(HttpMethod.Put, $"/api/handles/{NewHandle()}", big);
        // Announce the body first, as well-behaved clients of large uploads do, so the refusal arrives before it.
        request.Headers.ExpectContinue = true;

        await AssertCodeAsync(await Node.Http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, 4);
    }

    [Fact]
    public async Task Put_ValueDataOverLimit_Returns400AndCode202()
    {
        var big = $$"""[{"index":1,"type":"NOTE","data":"{{new string('a', 70 * 1024)}}"}]""";

        await AssertCodeAsync(await PutAsync(NewHandle(), big), HttpStatusCode.BadRequest, 202);
    }

    [Fact]
    public async Task Writes_BumpVersionAndTimestamp_ConcurrentValueWritesAreAllKept()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $"[{UrlValue}]")).Dispose();

        var writes = Enumerable.Range(10, 20).Select(i =>
            PutAsync(handle, $$"""[{"index":{{i}},"type":"NOTE","data":"{{i}}"}]""", $"?index={i}"));
        foreach (var response in await Task.WhenAll(writes))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var values = (await JsonAsync(await Node.Http.GetAsync($"/api/handles/{handle}"))).GetProperty("values");
        Assert.Equal(21, values.GetArrayLength());
    }

    [Fact]
    public async Task List_PagesThroughHandlesUnderPrefix_InKeyOrder()
    {
        var prefix = $"88.118.8.L{Random.Shared.Next(1_000_000)}";
        (await Node.SendAsync(HttpMethod.Post, $"/api/prefixes/{prefix}")).Dispose();
        foreach (var suffix in new[] { "c", "a", "b", "e", "d" })
        {
            (await PutAsync($"{prefix}/{suffix}", $"[{UrlValue}]")).Dispose();
        }

        var page0 = await JsonAsync(await Node.SendAsync(HttpMethod.Get, $"/api/handles?prefix={prefix}&page=0&pageSize=2"));
        var page2 = await JsonAsync(await Node.SendAsync(HttpMethod.Get, $"/api/handles?prefix={prefix}&page=2&pageSize=2"));

        Assert.Equal("5", page0.GetProperty("totalCount").GetString());
        Assert.Equal([$"{prefix}/a", $"{prefix}/b"], page0.GetProperty("handles").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal([$"{prefix}/e"], page2.GetProperty("handles").EnumerateArray().Select(h => h.GetString()));
    }

    [Fact]
    public async Task List_Errors_AreHandleCodes()
    {
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Get, "/api/handles"), HttpStatusCode.BadRequest, 4);
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Get, "/api/handles?prefix=99.5"), HttpStatusCode.BadRequest, 301);
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Get, $"/api/handles?prefix={NodeFixture.EnterprisePrefix}&page=abc"), HttpStatusCode.BadRequest, 4);
        await AssertCodeAsync(await Node.SendAsync(HttpMethod.Get, $"/api/handles?prefix={NodeFixture.EnterprisePrefix}", authorised: false), HttpStatusCode.Unauthorized, 402);
    }

    [Fact]
    public async Task Prefixes_CreateUnderNodePrefix_ListThem_RefuseOthers()
    {
        var prefix = $"88.118.8.{Random.Shared.Next(2000, 1_000_000)}";

        using var created = await Node.SendAsync(HttpMethod.Post, $"/api/prefixes/{prefix}");
        using var again = await Node.SendAsync(HttpMethod.Post, $"/api/prefixes/{prefix}");
        using var foreign = await Node.SendAsync(HttpMethod.Post, "/api/prefixes/88.119.1");
        var list = await JsonAsync(await Node.Http.GetAsync("/api/prefixes"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await AssertCodeAsync(foreign, HttpStatusCode.BadRequest, 301);
        Assert.Equal("88.118.8", list.GetProperty("nodePrefix").GetString());
        Assert.Contains(prefix, list.GetProperty("prefixes").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task RestrictedValue_IsInvisibleToAnonymous_VisibleToOperator()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $$"""[{{UrlValue}},{"index":2002,"type":"qcReport","data":"secret","permissions":"1100"}]""")).Dispose();

        var anonymous = (await JsonAsync(await Node.Http.GetAsync($"/api/handles/{handle}"))).GetProperty("values");
        var anonymousFiltered = await JsonAsync(await Node.Http.GetAsync($"/api/handles/{handle}?index=2002"));
        var operatorView = (await JsonAsync(await Node.SendAsync(HttpMethod.Get, $"/api/handles/{handle}"))).GetProperty("values");

        Assert.Equal(1, Assert.Single(anonymous.EnumerateArray()).GetProperty("index").GetInt32());
        Assert.Equal(200, anonymousFiltered.GetProperty("responseCode").GetInt32());
        Assert.Equal(2, operatorView.GetArrayLength());
        Assert.Equal("1100", operatorView[1].GetProperty("permissions").GetString());
    }

    [Fact]
    public async Task Proxy_RedirectsToUrl_NoredirectShowsValues_JsonOnRequest()
    {
        var handle = NewHandle();
        (await PutAsync(handle, $$"""[{"index":2,"type":"EMAIL","data":"a@b.c"},{{UrlValue}}]""")).Dispose();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Node.HttpUrl };

        using var redirect = await client.GetAsync($"/{handle}");
        using var page = await client.GetAsync($"/{handle}?noredirect");
        using var jsonRequest = new HttpRequestMessage(HttpMethod.Get, $"/{handle}");
        jsonRequest.Headers.Accept.ParseAdd("application/json");
        using var json = await client.SendAsync(jsonRequest);
        using var missing = await client.GetAsync($"/{NewHandle()}");

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal(new Uri("https://example.com/p"), redirect.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("a@b.c", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(handle, (await JsonAsync(json)).GetProperty("handle").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Proxy_WithoutUrlValue_ShowsValues()
    {
        var handle = NewHandle();
        (await PutAsync(handle, """[{"index":2,"type":"EMAIL","data":"<b>a@b.c</b>"}]""")).Dispose();

        using var page = await Node.Http.GetAsync($"/{handle}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("&lt;b&gt;a@b.c&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>a@b.c", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DescribesTheHandleApi()
    {
        var document = await JsonAsync(await Node.Http.GetAsync("/openapi/v1.json"));

        Assert.True(document.GetProperty("paths").TryGetProperty("/api/handles/{handle}", out _));
    }
}

public sealed class SqliteHandleApiTests(SqliteNodeFixture fixture) : HandleApiTests(fixture), IClassFixture<SqliteNodeFixture>;

public sealed class PostgresHandleApiTests(PostgresNodeFixture fixture) : HandleApiTests(fixture), IClassFixture<PostgresNodeFixture>;

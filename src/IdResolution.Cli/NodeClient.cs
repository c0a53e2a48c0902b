using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace IdResolution.Cli;

/// <summary>The node's HTTP API, with every refusal turned into a <see cref="CliException"/> carrying the node's own reason.</summary>
public sealed class NodeClient(CliSettings settings, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null)
    {
        BaseAddress = settings.Url,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public void Dispose() => _http.Dispose();

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, (string?)null, cancellationToken);

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        return await SendAsync(method, path, content, cancellationToken);
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var body = Parse(text);
        if (!response.IsSuccessStatusCode && body.ValueKind == JsonValueKind.Object && body.TryGetProperty("rolledBack", out _))
        {
            // An all-or-nothing import refused: its summary (with the rows at fault) is the answer to show.
            return body;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"{(int)response.StatusCode} {response.ReasonPhrase}: {Reason(body, text)}");
        }

        return body;
    }

    /// <summary>For streamed answers (exports): the caller reads the body; refusals still throw.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, bool streamed = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (settings.Key is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, streamed ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach the node at {settings.Url}: {e.Message}");
        }

        if (streamed && !response.IsSuccessStatusCode)
        {
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new CliException($"{(int)response.StatusCode} {response.ReasonPhrase}: {Reason(Parse(text), text)}");
            }
        }

        return response;
    }

    private static JsonElement Parse(string text)
    {
        try
        {
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>The reason in whichever shape the API answered: Handle JSON <c>message</c>, problem+json <c>detail</c>.</summary>
    private static string Reason(JsonElement body, string text)
    {
        if (body.ValueKind == JsonValueKind.Object)
        {
            var reason = body.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()
                : body.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()
                : null;
            if (body.TryGetProperty("violations", out var violations) && violations.ValueKind == JsonValueKind.Array)
            {
                reason += string.Concat(violations.EnumerateArray().Select(v => $"\n  - {v.GetProperty("field").GetString()}: {v.GetProperty("message").GetString()}"));
            }

            if (reason is not null)
            {
                return reason;
            }
        }

        return text.Length > 300 ? text[..300] : text;
    }
}

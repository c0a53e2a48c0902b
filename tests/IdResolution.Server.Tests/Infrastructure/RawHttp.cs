using System.Net.Sockets;
using System.Text;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>
/// Sends a request byte for byte as written (no client-side escaping or dot-segment removal), so that tests control
/// exactly what reaches the server, and reads the whole answer.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Headers, string Body);

    /// <summary>Sends one request; <paramref name="declaredLength"/> announces a Content-Length other than the body's own (an oversized upload is refused from its header: only its start needs sending).</summary>
    public static async Task<Answer> SendAsync(Uri server, string method, string target, string? body = null, string? extraHeaders = null, long? declaredLength = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var head = $"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n"
            + $"Authorization: Bearer {NodeServer.OperatorToken}\r\n{extraHeaders}"
            + (body is null ? "" : $"Content-Length: {declaredLength ?? bodyBytes.Length}\r\n") + "\r\n";
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head));
            await stream.WriteAsync(bodyBytes);
        }
        catch (IOException)
        {
            // The server answered and closed before taking everything (an oversized header): its answer is read below.
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = split < 0 ? text : text[..split];
        var status = int.Parse(headers.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var content = split < 0 ? "" : text[(split + 4)..];
        return new Answer(status, headers, headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(content) : content);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }

            // Sizes count bytes; the answers here are JSON, whose non-ASCII characters these tests do not split.
            var start = lineEnd + 2;
            var length = 0;
            for (var bytes = 0; bytes < size; length++)
            {
                bytes += Encoding.UTF8.GetByteCount(chunked.AsSpan(start + length, 1));
            }

            body.Append(chunked, start, length);
            at = start + length + 2;
        }

        return body.ToString();
    }
}

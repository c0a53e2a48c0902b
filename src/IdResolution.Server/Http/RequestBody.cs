using System.Text.Json;
using IdResolution.Core;

namespace IdResolution.Server.Http;

/// <summary>Reads a JSON request body, turning malformed JSON into a Handle protocol error instead of a 500.</summary>
public static class RequestBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static async Task<JsonDocument> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentType is { } type && !IsJsonCompatible(type))
        {
            throw new BadHttpRequestException($"the body must be JSON (Content-Type: application/json), not {type}", StatusCodes.Status415UnsupportedMediaType);
        }

        try
        {
            return await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"the body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>
    /// JSON media types, plus the two that tools send when nobody said otherwise (curl's <c>--data</c> sends
    /// form-urlencoded; some clients text/plain). Clearly different formats (XML, multipart, binary) are refused.
    /// </summary>
    private static bool IsJsonCompatible(string contentType)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        var media = parsed.MediaType.Value ?? "";
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }
}

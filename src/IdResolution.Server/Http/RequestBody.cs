using System.Text.Json;
using IdResolution.Core;

namespace IdResolution.Server.Http;

/// <summary>Reads a JSON request body, turning malformed JSON into a Handle protocol error instead of a 500.</summary>
public static class RequestBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static async Task<JsonDocument> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"the body is not valid JSON: {e.Message}");
        }
    }
}

using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Templates;
using IdResolution.Server.Http;

namespace IdResolution.Server.Compat;

/// <summary>
/// The envelope of the API deployed industry nodes expose: <c>{"status":1,"message":"success","data":...}</c>. A
/// refusal carries the Handle response code as its status (never 1), the reason as its message, and the HTTP status
/// the code maps to.
/// </summary>
public static class CompatAnswers
{
    /// <summary>Both <c>/identity/...</c> and <c>/identityv2/...</c>.</summary>
    public static bool Serves(HttpRequest request) => request.Path.StartsWithSegments("/identity", StringComparison.Ordinal)
        || request.Path.StartsWithSegments("/identityv2", StringComparison.Ordinal);

    public static Task OkAsync(HttpContext context, Action<Utf8JsonWriter>? data = null) =>
        WriteAsync(context, StatusCodes.Status200OK, (int)ResponseCode.Success, "success", data);

    public static Task ErrorAsync(HttpContext context, int status, ResponseCode code, string message, IReadOnlyList<TemplateViolation>? violations = null) =>
        WriteAsync(context, status, (int)code, message, violations is { Count: > 0 } ? w => WriteViolations(w, violations) : null);

    private static Task WriteAsync(HttpContext context, int status, int code, string message, Action<Utf8JsonWriter>? data) =>
        HandleResponses.WriteAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("status", code);
            writer.WriteString("message", message);
            writer.WritePropertyName("data");
            if (data is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                data(writer);
            }

            writer.WriteEndObject();
        });

    private static void WriteViolations(Utf8JsonWriter writer, IReadOnlyList<TemplateViolation> violations)
    {
        writer.WriteStartObject();
        Core.Json.HandleJsonWriter.WriteViolations(writer, violations);
        writer.WriteEndObject();
    }
}

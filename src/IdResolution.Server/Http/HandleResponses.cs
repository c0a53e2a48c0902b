using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Json;
using IdResolution.Core.Values;

namespace IdResolution.Server.Http;

/// <summary>Writes Handle REST bodies straight into the response pipe.</summary>
public static class HandleResponses
{
    public const string JsonContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions Indented = HandleJsonWriter.Options with { Indented = true };

    public static Task WriteRecordAsync(HttpContext context, string handle, IReadOnlyList<HandleValue> values, IReadOnlyList<string>? aliases = null) =>
        WriteAsync(context, StatusCodes.Status200OK, writer => HandleJsonWriter.WriteRecord(writer, handle, values, aliases ?? []));

    public static Task WriteErrorAsync(HttpContext context, ResponseCode code, string? handle, string message, bool resolving = false) =>
        WriteAsync(context, HandleHttpStatus.For(code, resolving), writer => HandleJsonWriter.WriteError(writer, code, handle, message));

    /// <summary>A successful write: <c>{"responseCode":1,"handle":...}</c>, 201 when it created the handle.</summary>
    public static Task WriteSuccessAsync(HttpContext context, string handle, bool created) =>
        WriteAsync(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("responseCode", (int)ResponseCode.Success);
            writer.WriteString("handle", handle);
            writer.WriteEndObject();
        });

    /// <summary>
    /// A referral (302, HTTP 300): the error answer plus <c>referral</c>, the top-level node's record of the prefix
    /// (<c>0.NA/&lt;prefix&gt;</c>) with its public HS_SITE values, which name the site to ask.
    /// </summary>
    public static Task WriteReferralAsync(HttpContext context, string handle, string message, Caching.CachedResolution referral) =>
        WriteAsync(context, StatusCodes.Status300MultipleChoices, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("responseCode", (int)ResponseCode.ServiceReferral);
            writer.WriteString("handle", handle);
            writer.WriteString("message", message);
            writer.WritePropertyName("referral");
            HandleJsonWriter.WriteRecord(writer, referral.Handle, ValueVisibility.PublicOnly(referral.Record!.Values));
            writer.WriteEndObject();
        });

    /// <summary>A pre-serialised 200 answer.</summary>
    public static async Task WriteBytesAsync(HttpContext context, byte[] json)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = JsonContentType;
        context.Response.ContentLength = json.Length;
        await context.Response.BodyWriter.WriteAsync(json, context.RequestAborted);
    }

    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = JsonContentType;
        var options = context.Request.Query.ContainsKey("pretty") ? Indented : HandleJsonWriter.Options;
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, options))
        {
            write(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}

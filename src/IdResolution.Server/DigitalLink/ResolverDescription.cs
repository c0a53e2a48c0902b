using System.Text.Json;
using IdResolution.Core.Json;

namespace IdResolution.Server.DigitalLink;

/// <summary><c>/.well-known/gs1resolver</c>: what this resolver serves, so that clients can discover it.</summary>
public static class ResolverDescription
{
    public static async Task Write(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, HandleJsonWriter.Options);
        writer.WriteStartObject();
        writer.WriteString("name", "IdResolution identifier node (GS1 Digital Link resolver)");
        writer.WriteString("resolverRoot", $"{context.Request.Scheme}://{context.Request.Host}");
        writer.WriteStartArray("supportedPrimaryKeys");
        foreach (var ai in Core.Schemes.DigitalLink.PrimaryAis)
        {
            writer.WriteStringValue(ai);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("linkTypeDefaultCanBeLinkset", false);
        writer.WriteString("linkTypeAll", "all");
        writer.WriteString("linksetMediaType", DigitalLinkEndpoints.LinksetMediaType);
        writer.WriteString("contextParameter", "context");
        writer.WriteBoolean("supportsAcceptLanguage", true);
        writer.WriteBoolean("fallsBackToLessSpecificKey", true);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}

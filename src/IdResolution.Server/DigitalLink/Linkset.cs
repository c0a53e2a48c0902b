using System.Text.Json;
using IdResolution.Core.Json;
using IdResolution.Core.Schemes;

namespace IdResolution.Server.DigitalLink;

/// <summary>An RFC 9264 linkset (JSON): the anchor and, per link relation type (the GS1 vocabulary URI), its targets.</summary>
public static class Linkset
{
    public static async Task WriteAsync(HttpContext context, string anchor, List<Gs1Link> links)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = DigitalLinkEndpoints.LinksetMediaType;
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, HandleJsonWriter.Options);
        writer.WriteStartObject();
        writer.WriteStartArray("linkset");
        writer.WriteStartObject();
        writer.WriteString("anchor", anchor);
        foreach (var relation in Relations(links))
        {
            writer.WriteStartArray(relation);
            foreach (var link in links)
            {
                if (Gs1Links.Expand(link.LinkType) == relation)
                {
                    WriteTarget(writer, link);
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static List<string> Relations(List<Gs1Link> links)
    {
        var relations = new List<string>();
        foreach (var link in links)
        {
            var relation = Gs1Links.Expand(link.LinkType);
            if (!relations.Contains(relation))
            {
                relations.Add(relation);
            }
        }

        return relations;
    }

    private static void WriteTarget(Utf8JsonWriter writer, Gs1Link link)
    {
        writer.WriteStartObject();
        writer.WriteString("href", link.Href);
        if (link.Title is not null)
        {
            writer.WriteString("title", link.Title);
        }

        if (link.HrefLang.Count > 0)
        {
            writer.WriteStartArray("hreflang");
            foreach (var language in link.HrefLang)
            {
                writer.WriteStringValue(language);
            }

            writer.WriteEndArray();
        }

        if (link.MediaType is not null)
        {
            writer.WriteString("type", link.MediaType);
        }

        if (link.Context is not null)
        {
            writer.WriteString("context", link.Context);
        }

        writer.WriteEndObject();
    }
}

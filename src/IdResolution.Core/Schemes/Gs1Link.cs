using System.Text;
using System.Text.Json;
using IdResolution.Core.Values;

namespace IdResolution.Core.Schemes;

/// <summary>One link of a GS1 Digital Link resolver record: where a link type (product page, instructions...) points.</summary>
public sealed record Gs1Link(string LinkType, string Href, string? Title, IReadOnlyList<string> HrefLang, string? Context, string? MediaType, bool IsDefault);

/// <summary>
/// Links as record values. A <c>URL</c> value is the default link (the lowest index wins); a <c>GS1_LINK</c> value
/// holds one link as a JSON object: <c>{"linkType":"gs1:pip","href":"https://...","title":"...","hreflang":["zh","en"],
/// "context":"...","type":"text/html","default":false}</c>. Link types are GS1 Web vocabulary terms (<c>gs1:pip</c>) or URIs.
/// </summary>
public static class Gs1Links
{
    public const string ValueType = "GS1_LINK";
    public const string Vocabulary = "https://gs1.org/voc/";
    public const string DefaultLink = "gs1:defaultLink";
    private const string DefaultLinkMulti = "gs1:defaultLinkMulti";

    /// <summary>The link type as a URI: <c>gs1:pip</c> becomes <c>https://gs1.org/voc/pip</c>.</summary>
    public static string Expand(string linkType) =>
        linkType.StartsWith("gs1:", StringComparison.Ordinal) ? string.Concat(Vocabulary, linkType.AsSpan(4)) : linkType;

    /// <summary>The record's links, in value order.</summary>
    public static List<Gs1Link> From(IReadOnlyList<HandleValue> values)
    {
        var links = new List<Gs1Link>();
        var defaultSeen = false;
        foreach (var value in values)
        {
            if (value.Type == WellKnownTypes.Url && Encoding.UTF8.GetString(value.Data) is var href && IsHttpUrl(href))
            {
                links.Add(new Gs1Link(defaultSeen ? DefaultLinkMulti : DefaultLink, href, null, [], null, null, !defaultSeen));
                defaultSeen = true;
            }
            else if (value.Type == ValueType && TryRead(value.Data, out var link, out _))
            {
                links.Add(link);
            }
        }

        return links;
    }

    /// <summary>Why a <c>GS1_LINK</c> value's data is not a link, or null when it is one.</summary>
    public static string? Problem(byte[] data) => TryRead(data, out _, out var problem) ? null : problem;

    /// <summary>
    /// The link a resolver redirects to: of the asked link type (the default link when none is asked or none of that type
    /// exists), in the asked context (else one for no context), in the best language the client accepts (else one
    /// without a language, else the first).
    /// </summary>
    public static Gs1Link? Choose(List<Gs1Link> links, string? linkType, string? context, IReadOnlyList<string> languages)
    {
        var candidates = linkType is null ? [] : links.FindAll(l => Expand(l.LinkType) == Expand(linkType));
        if (candidates.Count == 0)
        {
            candidates = links.FindAll(l => l.IsDefault || l.LinkType is DefaultLink or DefaultLinkMulti);
        }

        if (candidates.Count == 0)
        {
            candidates = links.Count == 0 ? [] : [links[0]];
        }

        var inContext = context is null ? [] : candidates.FindAll(l => l.Context == context);
        if (inContext.Count == 0)
        {
            inContext = candidates.FindAll(l => l.Context is null);
        }

        candidates = inContext.Count > 0 ? inContext : candidates;
        foreach (var language in languages)
        {
            if (candidates.Find(l => l.HrefLang.Any(h => LanguageMatches(h, language))) is { } spoken)
            {
                return spoken;
            }
        }

        return candidates.Find(l => l.HrefLang.Count == 0) ?? (candidates.Count > 0 ? candidates[0] : null);
    }

    /// <summary><c>en</c> accepts <c>en</c> and <c>en-GB</c>; <c>en-GB</c> accepts <c>en-GB</c> and <c>en</c>.</summary>
    private static bool LanguageMatches(string hrefLang, string accepted) =>
        accepted == "*"
        || hrefLang.Equals(accepted, StringComparison.OrdinalIgnoreCase)
        || hrefLang.StartsWith(accepted + "-", StringComparison.OrdinalIgnoreCase)
        || accepted.StartsWith(hrefLang + "-", StringComparison.OrdinalIgnoreCase);

    private static bool TryRead(byte[] data, out Gs1Link link, out string? problem)
    {
        link = null!;
        try
        {
            using var document = JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = 4 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "a GS1_LINK value is a JSON object with linkType and href";
                return false;
            }

            var linkType = Text(root, "linkType");
            var href = Text(root, "href");
            if (string.IsNullOrEmpty(linkType) || linkType.Length > 512 || !(linkType.StartsWith("gs1:", StringComparison.Ordinal) || Uri.IsWellFormedUriString(linkType, UriKind.Absolute)))
            {
                problem = "a GS1_LINK's linkType is a GS1 vocabulary term (gs1:pip) or an absolute URI";
                return false;
            }

            if (href is null || !IsHttpUrl(href))
            {
                problem = "a GS1_LINK's href is an absolute http(s) URL";
                return false;
            }

            var languages = root.TryGetProperty("hreflang", out var h) ? Languages(h) : [];
            if (languages is null)
            {
                problem = "a GS1_LINK's hreflang is a language tag or a list of them";
                return false;
            }

            var isDefault = root.TryGetProperty("default", out var d) && d.ValueKind == JsonValueKind.True;
            link = new Gs1Link(linkType, href, Text(root, "title"), languages, Text(root, "context"), Text(root, "type"), isDefault);
            problem = null;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, or text that is not valid UTF-16 (a lone surrogate escaped in a string).
            problem = "a GS1_LINK value is a JSON object with linkType and href, in valid UTF-8";
            return false;
        }
    }

    private static List<string>? Languages(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return IsLanguageTag(element.GetString()!) ? [element.GetString()!] : null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var languages = new List<string>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !IsLanguageTag(item.GetString()!))
            {
                return null;
            }

            languages.Add(item.GetString()!);
        }

        return languages;
    }

    /// <summary>BCP 47 in its common shape: letters, digits and '-', 2 to 35 characters, starting with letters.</summary>
    private static bool IsLanguageTag(string tag) =>
        tag.Length is >= 2 and <= 35 && char.IsAsciiLetter(tag[0]) && tag.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static bool IsHttpUrl(string text) =>
        text.Length <= 2048 && !text.Any(char.IsControl) && Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>
    /// The link as an HTTP header may carry it: the host in its ASCII (punycode) form and the rest percent-encoded, so
    /// that <c>https://例子.cn/产品</c> redirects instead of failing.
    /// </summary>
    public static string ForLocationHeader(string href)
    {
        var uri = new Uri(href);
        var builder = new UriBuilder(uri) { Host = uri.IdnHost };
        return builder.Uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped);
    }
}

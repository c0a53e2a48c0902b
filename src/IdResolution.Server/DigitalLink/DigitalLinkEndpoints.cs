using System.Diagnostics;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Schemes;
using IdResolution.Core.Values;
using IdResolution.Server.Http;
using IdResolution.Server.Resolution;
using IdResolution.Server.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace IdResolution.Server.DigitalLink;

/// <summary>
/// A GS1 Digital Link resolver: <c>GET /01/{gtin}[/10/{lot}][/21/{serial}]</c>, <c>/00/{sscc}</c>, <c>/414/{gln}</c> and the
/// other primary keys. The record of the most specific level registered answers (serial, else lot, else GTIN); its
/// chosen link is a 307 redirect, and <c>linkType=all</c> or <c>Accept: application/linkset+json</c> gives every link as
/// an RFC 9264 linkset. GS1 keys resolve through the same cache, aliases and permissions as handles.
/// </summary>
public static class DigitalLinkEndpoints
{
    public const string LinksetMediaType = "application/linkset+json";

    public static IEndpointRouteBuilder MapDigitalLink(this IEndpointRouteBuilder app)
    {
        var resolver = app.ServiceProvider.GetRequiredService<HandleResolver>();
        var metrics = app.ServiceProvider.GetRequiredService<ResolveMetrics>();
        foreach (var ai in Core.Schemes.DigitalLink.PrimaryAis)
        {
            app.MapGet($"/{ai}/{{**rest}}", (HttpContext context) => ResolveAsync(context, resolver, metrics))
                .MeasuredAsResolves()
                .WithTags("GS1 Digital Link")
                .WithSummary($"Resolves a GS1 Digital Link URI with primary key ({ai}): 307 to the chosen link, or the linkset "
                    + "(linkType=all, or Accept: application/linkset+json). Query: linkType (gs1:pip, ... or a URI), context; header Accept-Language.");
        }

        app.MapGet("/.well-known/gs1resolver", ResolverDescription.Write)
            .WithTags("GS1 Digital Link")
            .WithSummary("Describes this resolver (GS1-Conformant resolver description).");
        return app;
    }

    private static async Task ResolveAsync(HttpContext context, HandleResolver resolver, ResolveMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var code = ResponseCode.Error;
        CacheLayer? layer = null;
        try
        {
            if (!Core.Schemes.DigitalLink.TryParse(RawPath(context), out var key, out var error))
            {
                code = ResponseCode.InvalidHandle;
                await NodeErrorHandling.WriteProblemAsync(context, StatusCodes.Status400BadRequest, code, error);
                return;
            }

            var (found, level, links) = await FindMostSpecificAsync(context, resolver, key);
            (code, layer) = (found.Code, found.Layer);
            if (found.Entry is null)
            {
                await NotFoundAsync(context, found, key);
                return;
            }

            await AnswerAsync(context, level, links);
        }
        finally
        {
            metrics.Resolved(ResolveMetrics.DigitalLink, code, layer, started);
        }
    }

    /// <summary>
    /// The key's own record, or the nearest level above it that is registered with links (serial, then lot, then the
    /// GTIN): a serial registered without links of its own (say, an alias of a handle holding only data) defers to its
    /// product's links.
    /// </summary>
    private static async Task<(Resolution.Resolution Found, Gs1Key Level, List<Gs1Link> Links)> FindMostSpecificAsync(HttpContext context, HandleResolver resolver, Gs1Key key)
    {
        (Resolution.Resolution Found, Gs1Key Level)? withoutLinks = null;
        for (Gs1Key? level = key; level is not null; level = level.Parent)
        {
            var found = await resolver.ResolveAsync(SchemeNames.Gs1Root + level.Path, authoritative: false, context.RequestAborted);
            if (found.Entry is { } entry)
            {
                var seesRestricted = await ReadAccess.SeesRestrictedAsync(context, entry, context.RequestAborted);
                var links = Gs1Links.From(ValueVisibility.Select(entry.Record!.Values, ValueFilter.All, seesRestricted));
                if (links.Count > 0)
                {
                    return (found, level, links);
                }

                withoutLinks ??= (found, level);
            }
            else if (found.Code != ResponseCode.HandleNotFound)
            {
                return (found, level, []);
            }
            else if (withoutLinks is null && level.Parent is null)
            {
                return (found, level, []);
            }
        }

        return (withoutLinks!.Value.Found, withoutLinks.Value.Level, []);
    }

    private static Task AnswerAsync(HttpContext context, Gs1Key level, List<Gs1Link> links)
    {
        var query = context.Request.Query;
        var linkType = query["linkType"].ToString();
        var anchor = $"{context.Request.Scheme}://{context.Request.Host}{level.Path}";
        context.Response.Headers.Link = $"<{anchor}?linkType=linkset>; rel=\"linkset\"; type=\"{LinksetMediaType}\"";
        if (linkType is "all" or "linkset" || WantsLinkset(context.Request))
        {
            return Linkset.WriteAsync(context, anchor, links);
        }

        var chosen = Gs1Links.Choose(links, linkType.Length == 0 ? null : linkType, NonEmpty(query["context"].ToString()), Languages(context.Request));
        if (chosen is null)
        {
            return NodeErrorHandling.WriteProblemAsync(context, StatusCodes.Status404NotFound, ResponseCode.ValuesNotFound, $"{level.Path} is registered but has no links");
        }

        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = WithPassedOnQuery(Gs1Links.ForLocationHeader(chosen.Href), query);
        return Task.CompletedTask;
    }

    private static Task NotFoundAsync(HttpContext context, Resolution.Resolution found, Gs1Key key)
    {
        var status = found.Code == ResponseCode.ServerTooBusy ? StatusCodes.Status503ServiceUnavailable
            : found.Code == ResponseCode.InvalidHandle ? StatusCodes.Status400BadRequest
            : StatusCodes.Status404NotFound;
        var detail = found.Code == ResponseCode.HandleNotFound ? $"nothing is registered for {key.Path} or any level above it" : found.Message ?? "not found";
        return NodeErrorHandling.WriteProblemAsync(context, status, found.Code, detail);
    }

    /// <summary>The request path as sent, so that an encoded '/' inside a value (%2F) stays part of it.</summary>
    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToString();
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    private static bool WantsLinkset(HttpRequest request)
    {
        foreach (var accept in request.GetTypedHeaders().Accept)
        {
            if (accept.MediaType.Equals(LinksetMediaType, StringComparison.OrdinalIgnoreCase) && accept.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Accept-Language, best first (stable for equal weights).</summary>
    private static List<string> Languages(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().AcceptLanguage;
        var ordered = new List<StringWithQualityHeaderValue>(accepted.Count);
        foreach (var language in accepted)
        {
            if (language.Quality is not 0)
            {
                ordered.Add(language);
            }
        }

        return [.. ordered.OrderByDescending(l => l.Quality ?? 1).Select(l => l.Value.ToString())];
    }

    /// <summary>Other query parameters (data attributes such as <c>?17=261231</c>) are passed on to the target.</summary>
    private static string WithPassedOnQuery(string href, IQueryCollection query)
    {
        var passed = new List<KeyValuePair<string, string?>>();
        foreach (var (name, values) in query)
        {
            if (name is not ("linkType" or "context"))
            {
                foreach (var value in values)
                {
                    passed.Add(new(name, value));
                }
            }
        }

        return passed.Count == 0 ? href : Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(href, passed);
    }

    private static string? NonEmpty(string text) => text.Length == 0 ? null : text;
}

using System.Security.Claims;
using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Templates;
using IdResolution.Registry;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;

namespace IdResolution.Server.Templates;

/// <summary>
/// Industry metadata templates, <c>/api/templates</c>: anyone reads them; operators define the node's industry
/// templates and an enterprise's admins its own. A version is a draft until published, then immutable.
/// </summary>
public static class TemplateEndpoints
{
    public static IEndpointRouteBuilder MapTemplateApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/templates").WithTags("Templates");
        api.MapGet("", ListAsync).WithSummary("Lists template versions (?name= for one template's), with their status.");
        api.MapGet("/{name}/{version}", GetAsync).WithSummary("One template version with its fields.");
        api.MapPost("", CreateAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Saves a new template version as a draft, or published at once with ?publish=true (operators; enterprise admins for their own templates).");
        api.MapPut("/{name}/{version}", UpdateAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Replaces a draft's fields; published versions never change.");
        api.MapPost("/{name}/{version}/publish", PublishAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Publishes a draft: identifiers may name it (value 1001: name@version) from now on, and it never changes.");
        api.MapDelete("/{name}/{version}", DeleteAsync)
            .RequireAuthorization(NodePolicies.Read)
            .WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Deletes a draft.");
        return app;
    }

    private static async Task ListAsync(HttpContext context, TemplateStore store, string? name)
    {
        var versions = await store.ListAsync(name, context.RequestAborted);
        await HandleResponses.WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("templates");
            foreach (var version in versions)
            {
                writer.WriteStartObject();
                WriteSummary(writer, version);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static async Task GetAsync(HttpContext context, TemplateStore store, string name, string version)
    {
        var found = await store.FindAsync(name, version, context.RequestAborted)
            ?? throw new HandleException(ResponseCode.HandleNotFound, $"template {name} version {version} does not exist");
        await WriteAsync(context, StatusCodes.Status200OK, found);
    }

    private static async Task CreateAsync(HttpContext context, TemplateStore store, PrefixRegistry prefixes, bool? publish)
    {
        var template = await ReadAsync(context);
        var owner = await EnsureMayDefineAsync(context.User, store, prefixes, template.Name, context.RequestAborted);
        var created = await store.CreateAsync(template, owner, publish == true, context.RequestAborted);
        context.Response.Headers.Location = $"/api/templates/{Uri.EscapeDataString(template.Name)}/{Uri.EscapeDataString(template.Version)}";
        await WriteAsync(context, StatusCodes.Status201Created, created);
    }

    private static async Task UpdateAsync(HttpContext context, TemplateStore store, PrefixRegistry prefixes, string name, string version)
    {
        var template = await ReadAsync(context, name, version);
        await EnsureMayDefineAsync(context.User, store, prefixes, name, context.RequestAborted);
        await WriteAsync(context, StatusCodes.Status200OK, await store.UpdateDraftAsync(template, context.RequestAborted));
    }

    private static async Task PublishAsync(HttpContext context, TemplateStore store, PrefixRegistry prefixes, string name, string version)
    {
        await EnsureMayDefineAsync(context.User, store, prefixes, name, context.RequestAborted);
        await WriteAsync(context, StatusCodes.Status200OK, await store.PublishAsync(name, version, context.RequestAborted));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, TemplateStore store, PrefixRegistry prefixes, string name, string version)
    {
        await EnsureMayDefineAsync(context.User, store, prefixes, name, context.RequestAborted);
        await store.DeleteDraftAsync(name, version, context.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>
    /// Operators define any template (theirs when new); an enterprise admin defines new templates (its own) and
    /// versions of its own ones. Returns the owner a new template gets.
    /// </summary>
    private static async Task<long?> EnsureMayDefineAsync(ClaimsPrincipal user, TemplateStore store, PrefixRegistry prefixes, string name, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user) ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "defining templates needs 'Authorization: Bearer <key>'");
        if (await PrefixOwnedNameAsync(caller, prefixes, name, cancellationToken) is { } prefixOwner)
        {
            return prefixOwner.EnterpriseId;
        }

        var (exists, owner) = await store.OwnerOfAsync(name, cancellationToken);
        if (caller.IsOperator)
        {
            return exists ? owner : null;
        }

        if (caller.Role != AccessRoles.Admin || caller.EnterpriseId is null || (exists && owner != caller.EnterpriseId))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, exists
                ? $"template {name} belongs to {(owner is null ? "the node's operators" : "another enterprise")}"
                : "only operators and enterprise admins define templates");
        }

        return caller.EnterpriseId;
    }

    /// <summary>
    /// A template named like a prefix is that prefix's (the deployed nodes' API keeps one per enterprise prefix, under
    /// its name): only operators and the enterprise owning the served prefix define it; a prefix not served yet, and the
    /// scheme roots, are left to operators. Null when the name is not a prefix's.
    /// </summary>
    private static async Task<Registry.Model.ServedPrefix?> PrefixOwnedNameAsync(Caller caller, PrefixRegistry prefixes, string name, CancellationToken cancellationToken)
    {
        var schemeRoot = name.Equals(Core.Schemes.SchemeNames.OidRoot, StringComparison.OrdinalIgnoreCase) || name.Equals(Core.Schemes.SchemeNames.Gs1Root, StringComparison.OrdinalIgnoreCase);
        var isPrefix = PrefixName.TryParse(name, out var prefix, out _)
            && (prefix.Scheme != Core.Schemes.IdentifierScheme.Handle || prefix.IsAtOrUnder(prefixes.NodePrefix));
        if (!schemeRoot && !isPrefix)
        {
            return null;
        }

        var served = isPrefix ? await prefixes.FindAsync(prefix, cancellationToken) : null;
        if (caller.IsOperator)
        {
            return served;
        }

        return served is not null && caller.Role == AccessRoles.Admin && served.EnterpriseId == caller.EnterpriseId
            ? served
            : throw new HandleException(ResponseCode.InsufficientPermissions, $"template name {name} is a prefix's: only operators and the enterprise owning it define it");
    }

    private static async Task<MetadataTemplate> ReadAsync(HttpContext context, string? name = null, string? version = null)
    {
        using var body = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        var template = TemplateJson.Read(body.RootElement);
        if (name is null)
        {
            return template;
        }

        if ((template.Name.Length > 0 && template.Name != name) || (template.Version.Length > 0 && template.Version != version))
        {
            throw new HandleException(ResponseCode.InvalidValue, $"the body names {template.Name}@{template.Version}, the URL {name}@{version}");
        }

        return template with { Name = name, Version = version! };
    }

    private static Task WriteAsync(HttpContext context, int status, TemplateVersion version) =>
        HandleResponses.WriteAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            TemplateJson.Write(writer, version.Template);
            WriteStatus(writer, version);
            writer.WriteEndObject();
        });

    private static void WriteSummary(Utf8JsonWriter writer, TemplateVersion version)
    {
        writer.WriteString("name", version.Template.Name);
        writer.WriteString("version", version.Template.Version);
        if (version.Template.IndustryCategory is { } category)
        {
            writer.WriteString("industryCategory", category);
        }

        writer.WriteNumber("fieldCount", version.Template.Fields.Count);
        WriteStatus(writer, version);
    }

    private static void WriteStatus(Utf8JsonWriter writer, TemplateVersion version)
    {
        writer.WriteString("status", version.Published ? "published" : "draft");
        writer.WriteString("reference", $"{version.Template.Name}@{version.Template.Version}");
        if (version.EnterpriseId is { } owner)
        {
            writer.WriteNumber("enterpriseId", owner);
        }

        writer.WriteString("createdAt", DateTimeOffset.FromUnixTimeSeconds(version.CreatedAt).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        if (version.PublishedAt is { } published)
        {
            writer.WriteString("publishedAt", DateTimeOffset.FromUnixTimeSeconds(published).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

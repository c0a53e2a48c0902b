using System.Globalization;
using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Templates;
using IdResolution.Registry;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;

namespace IdResolution.Server.Compat;

/// <summary>
/// Templates in the deployed nodes' shape: one template per enterprise prefix, versioned, <c>{prefix, version,
/// industryCategory, industrySpecific, industryTrade, industrySubclass, items:[{name, idType, idIndex, required,
/// metadata:{type, minLength, maxLength}}]}</c>; <c>idType</c> is the value type the item's values carry and <c>name</c>
/// its display name. They are the native templates named by the prefix, published when saved.
/// </summary>
public static class IdentityTemplateEndpoints
{
    public static IEndpointRouteBuilder MapIdentityTemplates(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/identityv2/template").WithTags("Compatibility");
        templates.MapPost("", CreateAsync).RequireAuthorization(NodePolicies.Read).WithRequestTimeout(Limits.NodeRateLimits.WritePolicy)
            .WithSummary("Publishes a prefix's template version (operators, or admins of the enterprise owning the prefix).");
        templates.MapGet("/detail", DetailAsync).WithSummary("?prefix=&version= -> the template.");
        templates.MapGet("/list", ListAsync).WithSummary("?prefix= -> the prefix's template versions.");
        return app;
    }

    private static async Task CreateAsync(HttpContext context, TemplateStore store, PrefixRegistry prefixes)
    {
        using var body = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        var template = Read(body.RootElement);
        var prefix = PrefixName.Parse(template.Name);
        var served = await prefixes.FindAsync(prefix, context.RequestAborted)
            ?? throw new HandleException(ResponseCode.ServerNotResponsible, $"this node does not serve prefix {prefix.Display}");
        var caller = Caller.From(context.User)!;
        if (!caller.IsOperator && (caller.Role != AccessRoles.Admin || caller.EnterpriseId is null || served.EnterpriseId != caller.EnterpriseId))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, $"only operators and admins of the enterprise owning {prefix.Display} define its templates");
        }

        if (await store.OwnerOfAsync(prefix.Display, context.RequestAborted) is (true, var owner) && owner != served.EnterpriseId)
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, $"templates named {prefix.Display} were defined by someone else");
        }

        var saved = await store.CreateAsync(template with { Name = prefix.Display }, served.EnterpriseId, publish: true, context.RequestAborted);
        await CompatAnswers.OkAsync(context, w => Write(w, saved));
    }

    private static async Task DetailAsync(HttpContext context, TemplateStore store, string? prefix, string? version)
    {
        var found = prefix is null || version is null ? null : await store.FindAsync(prefix, version, context.RequestAborted);
        if (found is null)
        {
            await CompatAnswers.ErrorAsync(context, StatusCodes.Status404NotFound, ResponseCode.HandleNotFound, $"no template {prefix} version {version}");
            return;
        }

        await CompatAnswers.OkAsync(context, w => Write(w, found));
    }

    private static async Task ListAsync(HttpContext context, TemplateStore store, string? prefix)
    {
        var versions = prefix is null ? [] : await store.ListAsync(prefix, context.RequestAborted);
        await CompatAnswers.OkAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var version in versions)
            {
                Write(w, version);
            }

            w.WriteEndArray();
        });
    }

    private static MetadataTemplate Read(JsonElement root)
    {
        string? Text(JsonElement e, string name) => IdentityEndpoints.Text(e, name);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() > 500)
        {
            throw new HandleException(ResponseCode.InvalidValue, "a template is {prefix, version, ..., items:[...]}");
        }

        var fields = new List<TemplateField>();
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var at = $"items[{i++}]";
            var metadata = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var typeText = metadata.ValueKind == JsonValueKind.Object ? Text(metadata, "type") ?? "string" : "string";
            fields.Add(new TemplateField
            {
                Name = Text(item, "idType") ?? throw new HandleException(ResponseCode.InvalidValue, $"{at}.idType: required (the values' type)"),
                Index = item.TryGetProperty("idIndex", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var n)
                    ? n
                    : throw new HandleException(ResponseCode.InvalidValue, $"{at}.idIndex: an integer"),
                Type = FieldType(typeText, at),
                Required = item.TryGetProperty("required", out var r) && (r.ValueKind == JsonValueKind.True || (r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var flag) && flag != 0)),
                MinLength = Int(metadata, "minLength"),
                MaxLength = Int(metadata, "maxLength"),
                Description = Text(item, "name"),
            });
        }

        return new MetadataTemplate
        {
            Name = Text(root, "prefix") ?? throw new HandleException(ResponseCode.InvalidValue, "prefix: required"),
            Version = Text(root, "version") ?? throw new HandleException(ResponseCode.InvalidValue, "version: required"),
            IndustryCategory = Text(root, "industryCategory"),
            IndustrySpecific = Text(root, "industrySpecific"),
            IndustryTrade = Text(root, "industryTrade"),
            IndustrySubclass = Text(root, "industrySubclass"),
            Fields = fields,
        };
    }

    private static FieldType FieldType(string text, string at) => text.ToLowerInvariant() switch
    {
        "string" or "text" => Core.Templates.FieldType.String,
        "int" or "integer" or "long" => Core.Templates.FieldType.Integer,
        "number" or "decimal" or "float" or "double" => Core.Templates.FieldType.Decimal,
        "date" => Core.Templates.FieldType.Date,
        "datetime" or "timestamp" => Core.Templates.FieldType.DateTime,
        "url" or "uri" => Core.Templates.FieldType.Url,
        "handle" or "identifier" => Core.Templates.FieldType.Identifier,
        "json" or "object" => Core.Templates.FieldType.Json,
        _ => throw new HandleException(ResponseCode.InvalidValue, $"{at}.metadata.type: '{text}' is not one of string, integer, number, date, datetime, url, handle, json"),
    };

    private static int? Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : throw new HandleException(ResponseCode.InvalidValue, $"metadata.{name}: an integer")
            : null;

    private static void Write(Utf8JsonWriter writer, TemplateVersion version)
    {
        var template = version.Template;
        writer.WriteStartObject();
        writer.WriteString("prefix", template.Name);
        writer.WriteString("version", template.Version);
        writer.WriteString("industryCategory", template.IndustryCategory ?? "");
        writer.WriteString("industrySpecific", template.IndustrySpecific ?? "");
        writer.WriteString("industryTrade", template.IndustryTrade ?? "");
        writer.WriteString("industrySubclass", template.IndustrySubclass ?? "");
        writer.WriteStartArray("items");
        foreach (var field in template.Fields)
        {
            writer.WriteStartObject();
            writer.WriteString("name", field.Description ?? field.Name);
            writer.WriteString("idType", field.Name);
            writer.WriteNumber("idIndex", field.Index);
            writer.WriteBoolean("required", field.Required);
            writer.WriteStartObject("metadata");
            writer.WriteString("type", TemplateJson.TypeName(field.Type));
            if (field.MinLength is { } min)
            {
                writer.WriteNumber("minLength", min);
            }

            if (field.MaxLength is { } max)
            {
                writer.WriteNumber("maxLength", max);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("status", version.Published ? "published" : "draft");
        writer.WriteString("createdAt", DateTimeOffset.FromUnixTimeSeconds(version.CreatedAt).ToString("O", CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }
}

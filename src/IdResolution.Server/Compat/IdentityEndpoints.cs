using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Values;
using IdResolution.Registry;
using IdResolution.Server.Accounts;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;
using IdResolution.Server.Resolution;
using IdResolution.Server.Writes;

namespace IdResolution.Server.Compat;

/// <summary>
/// The API deployed industry nodes already expose, so that integrated enterprise systems keep working unchanged:
/// <c>POST /identity/token</c>, <c>/identityv2/data</c> (detail, create, update, delete, and their batch forms) and
/// <c>/identityv2/template</c>. Same storage, caches, validation and permissions as the native APIs.
/// </summary>
public static class IdentityEndpoints
{
    public const int MaxBatch = 1000;

    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/identity/token", LoginAsync).WithTags("Compatibility")
            .WithSummary("{username, password} -> a bearer token (username: the key's id or name; password: the key).");
        var data = app.MapGroup("/identityv2/data").WithTags("Compatibility");
        data.MapGet("/detail", DetailAsync).WithSummary("?handle= -> the record as {handle, templateVersion, value:[...]}.");
        data.MapPost("", CreateAsync).RequireAuthorization(NodePolicies.Read).WithSummary("Registers a record.");
        data.MapPut("", UpdateAsync).RequireAuthorization(NodePolicies.Read).WithSummary("Replaces a registered record's values.");
        data.MapDelete("", DeleteAsync).RequireAuthorization(NodePolicies.Read).WithSummary("Deletes a record: ?handle= or {\"handle\":...}.");
        data.MapPost("/batchCreate", (HttpContext c, HandleWrites w) => BatchAsync(c, w, Operation.Create)).RequireAuthorization(NodePolicies.Read)
            .WithSummary($"Registers up to {MaxBatch} records; each answered on its own.");
        data.MapMethods("/batchUpdate", ["POST", "PUT"], (HttpContext c, HandleWrites w) => BatchAsync(c, w, Operation.Update)).RequireAuthorization(NodePolicies.Read)
            .WithSummary($"Replaces up to {MaxBatch} records' values; each answered on its own.");
        data.MapMethods("/batchDelete", ["POST", "DELETE"], (HttpContext c, HandleWrites w) => BatchAsync(c, w, Operation.Delete)).RequireAuthorization(NodePolicies.Read)
            .WithSummary($"Deletes up to {MaxBatch} records (a list of handles, or of {{handle}}); each answered on its own.");
        data.WithRequestTimeout(Limits.NodeRateLimits.WritePolicy);

        app.MapIdentityTemplates();
        return app;
    }

    private enum Operation
    {
        Create,
        Update,
        Delete,
    }

    private static async Task LoginAsync(HttpContext context, AccessKeyStore keys, Caching.CredentialCache credentials, TimeProvider clock)
    {
        using var body = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        var root = body.RootElement;
        var username = Text(root, "username");
        var password = Text(root, "password");
        if (username is null || password is null)
        {
            throw new HandleException(ResponseCode.ProtocolError, "username and password are required");
        }

        var key = await keys.FindActiveAsync(AccessKeyStore.Hash(password), context.RequestAborted);
        if (key is null || key.ParentKeyId is not null
            || (username != key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) && username != key.Name))
        {
            throw new HandleException(ResponseCode.AuthenticationFailed, "wrong username or password");
        }

        // Integrated systems often log in before every call: at the live-token cap, the token closest to expiry is
        // retired (and evicted from every node's credential cache) instead of refusing the login.
        if (await keys.CountActiveTokensAsync(key.Id, context.RequestAborted) >= TokenEndpoints.MaxActiveTokens
            && await keys.OldestActiveTokenAsync(key.Id, context.RequestAborted) is { } oldest)
        {
            foreach (var hash in await keys.RevokeAsync(oldest.Id, context.RequestAborted))
            {
                await credentials.EvictAsync(KeyAuthenticationHandler.CacheKey(hash));
            }
        }

        var (_, secret, expiresAt) = await TokenEndpoints.MintAsync(key, TokenEndpoints.DefaultTtlSeconds, keys, clock, context.RequestAborted);
        await CompatAnswers.OkAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("token", secret);
            w.WriteString("tokenType", "Bearer");
            w.WriteNumber("expiresIn", expiresAt - clock.GetUtcNow().ToUnixTimeSeconds());
            w.WriteEndObject();
        });
    }

    private static async Task DetailAsync(HttpContext context, HandleResolver resolver, string? handle)
    {
        var resolution = await resolver.ResolveAsync(handle ?? "", authoritative: false, context.RequestAborted);
        if (resolution.Entry is not { } entry)
        {
            await CompatAnswers.ErrorAsync(context, HandleHttpStatus.For(resolution.Code, resolving: true), resolution.Code, resolution.Message!);
            return;
        }

        var seesRestricted = await ReadAccess.SeesRestrictedAsync(context, entry, context.RequestAborted);
        var values = ValueVisibility.Select(entry.Record!.Values, ValueFilter.All, seesRestricted);
        await CompatAnswers.OkAsync(context, w => CompatRecord.Write(w, entry.Handle, values));
    }

    private static async Task CreateAsync(HttpContext context, HandleWrites writes)
    {
        using var body = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        var (name, values) = CompatRecord.Read(body.RootElement);
        var result = await writes.CreateAsync(context.User, name, values, context.RequestAborted);
        await CompatAnswers.OkAsync(context, w => WriteResult(w, result));
    }

    private static async Task UpdateAsync(HttpContext context, HandleWrites writes)
    {
        using var body = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        var (name, values) = CompatRecord.Read(body.RootElement);
        var result = await writes.ReplaceAsync(context.User, name, values, context.RequestAborted);
        await CompatAnswers.OkAsync(context, w => WriteResult(w, result));
    }

    private static async Task DeleteAsync(HttpContext context, HandleWrites writes, string? handle)
    {
        if (handle is null && context.Request.ContentLength is > 0)
        {
            using var body = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
            handle = Text(body.RootElement, "handle");
        }

        var name = HandleName.Parse(handle ?? throw new HandleException(ResponseCode.ProtocolError, "which handle? ?handle= or {\"handle\":...}"));
        await writes.DeleteAsync(context.User, name, context.RequestAborted);
        await CompatAnswers.OkAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("handle", name.Display);
            w.WriteEndObject();
        });
    }

    /// <summary>Each item is written (and fails) on its own: one bad record does not undo the good ones.</summary>
    private static async Task BatchAsync(HttpContext context, HandleWrites writes, Operation operation)
    {
        using var body = await RequestBody.ReadJsonAsync(context.Request, context.RequestAborted);
        var items = Items(body.RootElement);
        var results = new List<(string Handle, ResponseCode Code, string Message)>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            results.Add(await OneAsync(context, writes, operation, items[i], $"[{i}]"));
        }

        var failed = results.Count(r => r.Code != ResponseCode.Success);
        await CompatAnswers.OkAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("total", results.Count);
            w.WriteNumber("succeeded", results.Count - failed);
            w.WriteNumber("failed", failed);
            w.WriteStartArray("results");
            foreach (var (handle, code, message) in results)
            {
                w.WriteStartObject();
                w.WriteString("handle", handle);
                w.WriteNumber("status", (int)code);
                w.WriteString("message", message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static async Task<(string Handle, ResponseCode Code, string Message)> OneAsync(HttpContext context, HandleWrites writes, Operation operation, JsonElement item, string at)
    {
        var handle = "";
        try
        {
            handle = item.ValueKind == JsonValueKind.String ? item.GetString()! : Text(item, "handle") ?? "";
            if (operation == Operation.Delete)
            {
                await writes.DeleteAsync(context.User, HandleName.Parse(handle), context.RequestAborted);
                return (handle, ResponseCode.Success, "success");
            }

            var (name, values) = CompatRecord.Read(item, at);
            var result = operation == Operation.Create
                ? await writes.CreateAsync(context.User, name, values, context.RequestAborted)
                : await writes.ReplaceAsync(context.User, name, values, context.RequestAborted);
            return (result.Handle, ResponseCode.Success, "success");
        }
        catch (HandleException e)
        {
            return (handle, e.Code, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            return (handle, ResponseCode.ProtocolError, "the item is not a record: " + e.Message);
        }
    }

    /// <summary>The batch's items: the body itself as a list, or its <c>data</c> / <c>list</c> / <c>handles</c> member.</summary>
    private static List<JsonElement> Items(JsonElement root)
    {
        var list = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("data", out var d) || root.TryGetProperty("list", out d) || root.TryGetProperty("handles", out d)) && d.ValueKind == JsonValueKind.Array ? d
            : throw new HandleException(ResponseCode.ProtocolError, "a batch is a list of records (or {\"data\":[...]})");
        if (list.GetArrayLength() > MaxBatch)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"{list.GetArrayLength()} items; a batch holds at most {MaxBatch}");
        }

        return [.. list.EnumerateArray()];
    }

    private static void WriteResult(System.Text.Json.Utf8JsonWriter writer, WriteResult result)
    {
        writer.WriteStartObject();
        writer.WriteString("handle", result.Handle);
        writer.WriteNumber("version", result.Version);
        writer.WriteEndObject();
    }

    internal static string? Text(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"{name}: text that is not valid Unicode (an unpaired surrogate)");
        }
    }
}

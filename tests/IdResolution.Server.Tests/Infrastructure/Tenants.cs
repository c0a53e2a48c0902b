using System.Net.Http.Json;
using System.Text.Json;
using IdResolution.Core.Accounts;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>A key as issued: its id, and the secret shown once.</summary>
public sealed record IssuedKey(long Id, string Secret);

/// <summary>One enterprise with a fresh prefix of its own, set up through the node's account API as an operator would.</summary>
public sealed record Tenant(long Id, string Prefix)
{
    public static async Task<Tenant> CreateAsync(NodeServer node)
    {
        var prefix = $"88.118.8.{Random.Shared.Next(100_000, 999_999)}";
        using var created = await node.SendAsync(HttpMethod.Post, "/admin/enterprises", JsonSerializer.Serialize(new { name = "Enterprise " + prefix, creditCode = NewCreditCode(), contact = "Li Lei", email = "ops@example.com" }));
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        (await node.SendAsync(HttpMethod.Put, $"/admin/enterprises/{id}/prefixes/{prefix}")).EnsureSuccessStatusCode();
        return new Tenant(id, prefix);
    }

    /// <summary>A key of this enterprise, issued by the operator (or by <paramref name="issuer"/>, e.g. the enterprise's admin).</summary>
    public async Task<IssuedKey> IssueAsync(NodeServer node, string role, string? issuer = null, DateTimeOffset? expiresAt = null)
    {
        using var request = node.Request(HttpMethod.Post, "/admin/keys", JsonSerializer.Serialize(new { name = $"{role} of {Prefix}", role, enterpriseId = Id, expiresAt }));
        if (issuer is not null)
        {
            request.Headers.Authorization = NodeServer.Bearer(issuer);
        }

        using var issued = await node.Http.SendAsync(request);
        issued.EnsureSuccessStatusCode();
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>();
        return new IssuedKey(body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
    }

    /// <summary>A valid unified social credit code: 17 random characters and the one check character that fits.</summary>
    public static string NewCreditCode()
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        var body = "91" + string.Concat(Enumerable.Range(0, 15).Select(_ => alphabet[Random.Shared.Next(10)]));
        return alphabet.Select(c => body + c).Single(code => CreditCode.IsValid(code, out _));
    }
}

public static class KeyRequests
{
    public static Task<HttpResponseMessage> SendAsAsync(this NodeServer node, string key, HttpMethod method, string path, string? json = null)
    {
        var request = node.Request(method, path, json);
        request.Headers.Authorization = NodeServer.Bearer(key);
        return node.Http.SendAsync(request);
    }

    public static global::Grpc.Core.Metadata Metadata(string key) => new() { { "authorization", $"Bearer {key}" } };
}

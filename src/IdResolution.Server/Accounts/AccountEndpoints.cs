using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Accounts;
using IdResolution.Core.Handles;
using IdResolution.Registry;
using IdResolution.Registry.Model;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Accounts;

/// <summary>
/// <c>/admin/enterprises</c> and <c>/admin/keys</c>: real-name enterprise accounts, their prefixes and their keys.
/// Operators manage everything; an enterprise admin manages its own enterprise's keys. Errors are problem+json.
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var enterprises = app.MapGroup("/admin/enterprises");
        enterprises.WithTags("Accounts").WithRequestTimeout(Limits.NodeRateLimits.WritePolicy);
        enterprises.MapPost("", CreateEnterpriseAsync).RequireAuthorization(NodePolicies.Operator)
            .WithSummary("Registers an enterprise: {name, creditCode (unified social credit code), contact, email}.");
        enterprises.MapGet("", ListEnterprisesAsync).RequireAuthorization(NodePolicies.Operator)
            .WithSummary("Lists the enterprises.");
        enterprises.MapGet("/{id:long}", GetEnterpriseAsync).RequireAuthorization(NodePolicies.Accounts)
            .WithSummary("One enterprise with its prefixes (operators, or the enterprise's admins).");
        enterprises.MapPut("/{id:long}/prefixes/{prefix}", AssignPrefixAsync).RequireAuthorization(NodePolicies.Operator)
            .WithSummary("Gives the enterprise a prefix under the node prefix, homing it here when needed. 201 when newly given, 200 when it already had it, 409 when another enterprise owns it.");

        var keys = app.MapGroup("/admin/keys");
        keys.WithTags("Accounts").WithRequestTimeout(Limits.NodeRateLimits.WritePolicy);
        keys.MapPost("", IssueKeyAsync).RequireAuthorization(NodePolicies.Accounts)
            .WithSummary("Issues a key {name, role: operator|admin|writer|reader|site (site: a secondary node filing with this top-level node; its identity '300:0.NA/<prefix>' is the prefix tree it may file), enterpriseId, expiresAt (RFC 3339, optional), identity ('index:handle', optional: "
                + "the Handle admin identity it logs in as with HTTP Basic and that HS_ADMIN values may name)}; the key is in this answer only.");
        keys.MapGet("", ListKeysAsync).RequireAuthorization(NodePolicies.Accounts)
            .WithSummary("Lists keys (never their secrets): all for operators (?enterpriseId= narrows), the enterprise's own for its admins.");
        keys.MapDelete("/{id:long}", RevokeKeyAsync).RequireAuthorization(NodePolicies.Accounts)
            .WithSummary("Revokes a key at once, on every node. 204, or 404 when no such (active) key is visible to the caller.");
        return app;
    }

    private static async Task<IResult> CreateEnterpriseAsync(EnterpriseRequest request, EnterpriseStore store, CancellationToken cancellationToken)
    {
        var enterprise = await store.CreateAsync(request.Name, request.CreditCode, request.Contact, request.Email, cancellationToken);
        return Results.Created($"/admin/enterprises/{enterprise.Id}", EnterpriseAnswer.From(enterprise, []));
    }

    private static async Task<IResult> ListEnterprisesAsync(EnterpriseStore store, CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(cancellationToken);
        return Results.Ok(new { enterprises = all.ConvertAll(e => EnterpriseAnswer.From(e, null)) });
    }

    private static async Task<IResult> GetEnterpriseAsync(long id, HttpContext context, EnterpriseStore store, PrefixRegistry prefixes, CancellationToken cancellationToken)
    {
        EnsureManages(context, id);
        var enterprise = await store.GetAsync(id, cancellationToken);
        return Results.Ok(EnterpriseAnswer.From(enterprise, await prefixes.OwnedByAsync(id, cancellationToken)));
    }

    private static async Task<IResult> AssignPrefixAsync(long id, string prefix, EnterpriseStore store, PrefixRegistry prefixes, CredentialCache credentials, CancellationToken cancellationToken)
    {
        var name = PrefixName.Parse(prefix);
        await store.GetAsync(id, cancellationToken);
        var assigned = await prefixes.AssignAsync(name, id, cancellationToken);
        await credentials.EvictAsync(PrefixAccess.OwnerCacheKey(name));
        var answer = new { enterpriseId = id, prefix = name.Display };
        return assigned ? Results.Created($"/api/prefixes/{name.Display}", answer) : Results.Ok(answer);
    }

    private static async Task<IResult> IssueKeyAsync(
        KeyRequest request, HttpContext context, AccessKeyStore keys, EnterpriseStore enterprises, PrefixRegistry prefixes, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User)!;
        var role = request.Role ?? "";
        if (!caller.IsOperator && (role is AccessRoles.Operator or AccessRoles.Site || request.EnterpriseId is { } other && other != caller.EnterpriseId))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, "an enterprise admin issues admin, writer and reader keys of its own enterprise only; operator and site keys come from operators");
        }

        var enterpriseId = caller.IsOperator ? request.EnterpriseId : caller.EnterpriseId;
        if (enterpriseId is { } id)
        {
            await enterprises.GetAsync(id, cancellationToken);
        }

        var identity = role == AccessRoles.Site ? SiteIdentity(request.Identity) : await IdentityAsync(request.Identity, enterpriseId, prefixes, cancellationToken);
        var expiresAt = request.ExpiresAt?.ToUnixTimeSeconds();
        if ((await keys.FindAsync(caller.KeyId, cancellationToken))?.ExpiresAt is { } issuerExpiry)
        {
            // A key lives no longer than the key (or token) that issued it: a temporary credential cannot mint permanent ones.
            expiresAt = Math.Min(expiresAt ?? long.MaxValue, issuerExpiry);
        }

        var (key, secret) = await keys.IssueAsync(new AccessKeyStore.KeySpec(request.Name ?? "", role, enterpriseId, expiresAt, identity?.Key), cancellationToken);
        return Results.Created($"/admin/keys/{key.Id}", KeyAnswer.From(key, secret));
    }

    /// <summary>
    /// A site key's identity is the admin of the prefix tree it may file, Handle-style: <c>300:0.NA/88.118.9</c> lets the
    /// site file 88.118.9 and the prefixes under it.
    /// </summary>
    private static AdminIdentity SiteIdentity(string? text)
    {
        var identity = AdminIdentity.Parse(text ?? throw new HandleException(ResponseCode.InvalidValue, "a site key needs identity 'index:0.NA/<prefix>': the prefix tree it may file"));
        return identity.Handle.IsPrefixRecord(out var prefix) && prefix.Scheme == Core.Schemes.IdentifierScheme.Handle
            ? identity
            : throw new HandleException(ResponseCode.InvalidAdmin, $"a site key's identity names a prefix record, 'index:0.NA/<prefix>', not {identity}");
    }

    /// <summary>An admin identity for a key: its handle must live under a prefix of the key's enterprise (operators: any served prefix).</summary>
    private static async Task<AdminIdentity?> IdentityAsync(string? text, long? enterpriseId, PrefixRegistry prefixes, CancellationToken cancellationToken)
    {
        if (text is null)
        {
            return null;
        }

        var identity = AdminIdentity.Parse(text);
        var served = await prefixes.FindAsync(identity.Handle.HomePrefix, cancellationToken);
        if (served is null || (enterpriseId is not null && served.EnterpriseId != enterpriseId))
        {
            throw new HandleException(ResponseCode.InvalidAdmin, $"identity {identity} must be a handle under a prefix of the key's enterprise served here");
        }

        return identity;
    }

    private static async Task<IResult> ListKeysAsync(HttpContext context, AccessKeyStore keys, long? enterpriseId, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User)!;
        var listed = await keys.ListAsync(caller.IsOperator ? enterpriseId : caller.EnterpriseId, cancellationToken);
        return Results.Ok(new { keys = listed.ConvertAll(k => KeyAnswer.From(k, null)) });
    }

    private static async Task<IResult> RevokeKeyAsync(long id, HttpContext context, AccessKeyStore keys, CredentialCache credentials, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User)!;
        var key = await keys.FindAsync(id, cancellationToken);
        var revoked = key is null || (!caller.IsOperator && key.EnterpriseId != caller.EnterpriseId) ? [] : await keys.RevokeAsync(id, cancellationToken);
        if (revoked.Count == 0)
        {
            throw new HandleException(ResponseCode.HandleNotFound, $"no active key {id} is visible to this caller");
        }

        foreach (var hash in revoked)
        {
            await credentials.EvictAsync(KeyAuthenticationHandler.CacheKey(hash));
        }

        return Results.NoContent();
    }

    private static void EnsureManages(HttpContext context, long enterpriseId)
    {
        var caller = Caller.From(context.User)!;
        if (!caller.IsOperator && caller.EnterpriseId != enterpriseId)
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, "an enterprise admin sees only its own enterprise");
        }
    }

    public sealed record EnterpriseRequest(string? Name, string? CreditCode, string? Contact, string? Email);

    public sealed record KeyRequest(string? Name, string? Role, long? EnterpriseId, DateTimeOffset? ExpiresAt, string? Identity);

    private sealed record EnterpriseAnswer(long Id, string Name, string CreditCode, string? Contact, string? Email, DateTimeOffset CreatedAt, IReadOnlyList<string>? Prefixes)
    {
        public static EnterpriseAnswer From(Enterprise e, IReadOnlyList<string>? prefixes) =>
            new(e.Id, e.Name, e.CreditCode, e.Contact, e.Email, DateTimeOffset.FromUnixTimeSeconds(e.CreatedAt), prefixes);
    }

    private sealed record KeyAnswer(
        long Id, string Name, string Role, long? EnterpriseId, string? Identity, long? ParentKeyId, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string? Key)
    {
        public static KeyAnswer From(AccessKey k, string? secret) => new(
            k.Id, k.Name, k.Role, k.EnterpriseId, k.Identity, k.ParentKeyId, DateTimeOffset.FromUnixTimeSeconds(k.CreatedAt),
            k.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null,
            k.RevokedAt is { } r ? DateTimeOffset.FromUnixTimeSeconds(r) : null,
            secret);
    }
}

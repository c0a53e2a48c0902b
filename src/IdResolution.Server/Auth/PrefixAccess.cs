using System.Security.Claims;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Accounts;
using IdResolution.Core.Handles;
using IdResolution.Core.Values;
using IdResolution.Registry;

namespace IdResolution.Server.Auth;

/// <summary>
/// Per-prefix permissions. Operators act everywhere; an enterprise's keys act only under the prefixes it owns:
/// admins and writers write there, and every one of its keys lists them and reads their restricted values.
/// Beyond that, HS_ADMIN values delegate: a key holding an admin identity they name (directly or through an HS_VLIST
/// group) may do what their permission bits allow, to that handle when they are the handle's own, or to every
/// handle under a prefix when they are in its prefix record <c>0.NA/&lt;prefix&gt;</c> (add handle, list handles...).
/// </summary>
public sealed class PrefixAccess(PrefixRegistry prefixes, HandleRegistry handles, CredentialCache credentials)
{
    /// <summary>How long a node trusts what it learnt about a prefix's owner for reads; writes always ask the registry.</summary>
    private static readonly TimeSpan OwnerKeptFor = TimeSpan.FromSeconds(10);

    public static string OwnerCacheKey(PrefixName prefix) => "owner." + prefix.Key;

    /// <summary>A handle's owner is its prefix's; an OID's or GS1 key's is looked up per name (its arc or company prefix takes a query to find).</summary>
    private static string OwnerCacheKey(HandleName name) =>
        name.Scheme == Core.Schemes.IdentifierScheme.Handle ? OwnerCacheKey(name.HomePrefix) : "owner." + name.Key;

    /// <summary>
    /// Refuses a change to <paramref name="name"/> unless the caller's enterprise owns its prefix (and the key
    /// writes), or HS_ADMIN values (the handle's own, or its prefix record's) give the caller's identity every bit
    /// the change needs, as <paramref name="needs"/> works out from the current values (null: no such handle).
    /// </summary>
    public async Task EnsureCanChangeAsync(
        ClaimsPrincipal user, HandleName name, Func<IReadOnlyList<HandleValue>?, AdminPermissions> needs, CancellationToken cancellationToken)
    {
        var caller = Require(user);
        if (await WriterRefusalAsync(caller, name, cancellationToken) is not { } refusal)
        {
            return;
        }

        if (caller.Identity is not null)
        {
            var current = (await handles.FindAsync(name, cancellationToken))?.Values;
            var needed = needs(current);
            if ((current is not null && await DelegatedAsync(caller, name, current, needed, cancellationToken))
                || await DelegatedByPrefixAsync(caller, name, needed, cancellationToken))
            {
                return;
            }
        }

        throw refusal;
    }

    /// <summary>
    /// Refuses registering new identifiers under <paramref name="name"/>'s prefix (arc, company prefix) in bulk unless
    /// the caller may do so anywhere under it: operators, writers of the enterprise owning it, or identities its prefix
    /// record's HS_ADMIN values give add-handle. A handle's own HS_ADMIN grants are for that handle, never a prefix.
    /// </summary>
    public async Task EnsureCanRegisterUnderAsync(ClaimsPrincipal user, HandleName name, CancellationToken cancellationToken)
    {
        var caller = Require(user);
        if (await WriterRefusalAsync(caller, name, cancellationToken) is { } refusal
            && !await DelegatedByPrefixAsync(caller, name, AdminPermissions.AddHandle, cancellationToken))
        {
            throw refusal;
        }
    }

    /// <summary>
    /// Writing an HS_ALIAS value declares another record the same object (its answers will list this name, its trace
    /// take this name's events): the caller must be allowed to add values to that record too.
    /// </summary>
    public async Task EnsureCanAliasAsync(ClaimsPrincipal user, IReadOnlyList<HandleValue> values, CancellationToken cancellationToken)
    {
        foreach (var target in AliasRules.AllTargets(values))
        {
            await EnsureCanChangeAsync(user, target, _ => AdminPermissions.AddValue, cancellationToken);
        }
    }

    /// <summary>The HS_ADMIN values of the prefix record <c>0.NA/&lt;prefix&gt;</c> administer every handle under the prefix.</summary>
    private async Task<bool> DelegatedByPrefixAsync(Caller caller, HandleName name, AdminPermissions needed, CancellationToken cancellationToken) =>
        !name.IsPrefixRecord(out _) && caller.Identity is not null
            && await HomeAsync(name, cancellationToken) is { } home
            && await DelegatedAsync(caller, home.RecordName, null, needed, cancellationToken);

    /// <summary>The served prefix a name belongs to; for handles, without asking the registry.</summary>
    private async Task<PrefixName?> HomeAsync(HandleName name, CancellationToken cancellationToken) =>
        name.Scheme == Core.Schemes.IdentifierScheme.Handle ? name.HomePrefix
        : await prefixes.FindHomeAsync(name, cancellationToken) is { } served ? PrefixName.Parse(served.Prefix) : null;

    /// <summary>Listing rights over the prefix (arc, company prefix) a name belongs to: what recalls and persistent dispositions need.</summary>
    public async Task EnsureCanListAsync(ClaimsPrincipal user, HandleName name, CancellationToken cancellationToken) =>
        await EnsureCanListAsync(
            user,
            await HomeAsync(name, cancellationToken) ?? throw new HandleException(ResponseCode.ServerNotResponsible, PrefixRegistry.NotServedMessage(name)),
            cancellationToken);

    public async Task EnsureCanListAsync(ClaimsPrincipal user, PrefixName prefix, CancellationToken cancellationToken)
    {
        var caller = Require(user);
        if (!caller.IsOperator
            && await OwnershipRefusalAsync(caller, prefix, cancellationToken) is { } refusal
            && (caller.Identity is null || !await DelegatedAsync(caller, prefix.RecordName, null, AdminPermissions.ListHandles, cancellationToken)))
        {
            throw refusal;
        }
    }

    /// <summary>
    /// Who will own a prefix the caller creates: nobody (operators' prefixes), or the admin's enterprise when
    /// the new prefix is derived from one of its own.
    /// </summary>
    public async Task<long?> OwnerOfNewPrefixAsync(ClaimsPrincipal user, PrefixName prefix, CancellationToken cancellationToken)
    {
        var caller = Require(user);
        if (caller.IsOperator)
        {
            return null;
        }

        if (caller.Role == AccessRoles.Admin)
        {
            for (var ancestor = prefix; ancestor.TryGetParent(out ancestor);)
            {
                if (await prefixes.FindAsync(ancestor, cancellationToken) is { } served)
                {
                    if (served.EnterpriseId == caller.EnterpriseId)
                    {
                        return caller.EnterpriseId;
                    }

                    break;
                }
            }
        }

        throw new HandleException(ResponseCode.InsufficientPermissions, $"only operators, or an admin of the enterprise owning the prefix it derives from, may create prefix {prefix.Display}");
    }

    /// <summary>
    /// Whether the caller reads the values without publicRead of this record: its enterprise owns the prefix, or the
    /// record's HS_ADMIN values give its identity read value.
    /// </summary>
    public async ValueTask<bool> SeesRestrictedAsync(ClaimsPrincipal user, HandleName name, IReadOnlyList<HandleValue> values, CancellationToken cancellationToken)
    {
        if (Caller.From(user) is not { } caller)
        {
            return false;
        }

        if (caller.IsOperator)
        {
            return true;
        }

        try
        {
            if (caller.EnterpriseId is not null)
            {
                var owner = await credentials.GetOrLoadAsync(
                    OwnerCacheKey(name),
                    async token => new PrefixOwner((await prefixes.FindHomeAsync(name, token))?.EnterpriseId),
                    _ => OwnerKeptFor,
                    cancellationToken);
                if (owner?.EnterpriseId == caller.EnterpriseId)
                {
                    return true;
                }
            }

            return await DelegatedAsync(caller, name, values, AdminPermissions.ReadValue, cancellationToken)
                || await DelegatedByPrefixAsync(caller, name, AdminPermissions.ReadValue, cancellationToken);
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            // Ownership cannot be checked while the registry is down: answer with the public values, as cached.
            return false;
        }
    }

    /// <summary>Whether the handle's HS_ADMIN values (the given ones, or the stored record's) grant the caller's identity <paramref name="needed"/>.</summary>
    private async Task<bool> DelegatedAsync(Caller caller, HandleName name, IReadOnlyList<HandleValue>? values, AdminPermissions needed, CancellationToken cancellationToken)
    {
        if (caller.Identity is null || !AdminIdentity.TryParse(caller.Identity, out var identity, out _))
        {
            return false;
        }

        values ??= (await handles.FindAsync(name, cancellationToken))?.Values;
        if (values is null)
        {
            return false;
        }

        var granting = AdminGrants.Granting(values, needed);
        foreach (var admin in granting)
        {
            if (identity.IsNamedBy(admin.Handle, admin.Index))
            {
                return true;
            }
        }

        // One level of groups: the admin named may be an HS_VLIST listing the identity.
        foreach (var admin in granting)
        {
            if (HandleName.TryParse(admin.Handle, out var groupName, out _)
                && await handles.FindAsync(groupName, cancellationToken) is { } group
                && AdminGrants.ListsMember(group.Values, admin.Index, identity))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A prefix's owner only ever changes from nobody to an enterprise, so a prefix served and owned by the caller's
    /// enterprise now stays so for the rest of the request. An unserved one is refused at once: it could be given to
    /// another enterprise while the request is still arriving.
    /// </summary>
    private async Task<HandleException?> OwnershipRefusalAsync(Caller caller, PrefixName prefix, CancellationToken cancellationToken) =>
        Refusal(caller, await prefixes.FindAsync(prefix, cancellationToken), $"this node does not serve prefix {prefix.Display}");

    private async Task<HandleException?> OwnershipRefusalAsync(Caller caller, HandleName name, CancellationToken cancellationToken) =>
        Refusal(caller, await prefixes.FindHomeAsync(name, cancellationToken), PrefixRegistry.NotServedMessage(name));

    private static HandleException? Refusal(Caller caller, Registry.Model.ServedPrefix? served, string notServed)
    {
        if (served is null)
        {
            return new HandleException(ResponseCode.ServerNotResponsible, notServed);
        }

        return caller.EnterpriseId is null || served.EnterpriseId != caller.EnterpriseId
            ? new HandleException(ResponseCode.InsufficientPermissions, $"prefix {served.Prefix} does not belong to this key's enterprise")
            : null;
    }

    /// <summary>Null when the caller writes under the name's prefix by role and ownership alone (operators, the owning enterprise's writers); else why not.</summary>
    private async Task<HandleException?> WriterRefusalAsync(Caller caller, HandleName name, CancellationToken cancellationToken) =>
        caller.IsOperator ? null
        : AccessRoles.Writes(caller.Role) ? await OwnershipRefusalAsync(caller, name, cancellationToken)
        : new HandleException(ResponseCode.InsufficientPermissions, $"a {caller.Role} key cannot write");

    private static Caller Require(ClaimsPrincipal user) =>
        Caller.From(user) ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "this operation needs 'Authorization: Bearer <key>'");

    private sealed record PrefixOwner(long? EnterpriseId);
}

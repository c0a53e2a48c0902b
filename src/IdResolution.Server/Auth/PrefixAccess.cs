using System.Security.Claims;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Registry;

namespace IdResolution.Server.Auth;

/// <summary>
/// Per-prefix permissions. Operators act everywhere; an enterprise's keys act only under the prefixes it owns:
/// admins and writers write there, and every one of its keys lists them and reads their restricted values.
/// </summary>
public sealed class PrefixAccess(PrefixRegistry prefixes, CredentialCache credentials)
{
    /// <summary>How long a node trusts what it learnt about a prefix's owner for reads; writes always ask the registry.</summary>
    private static readonly TimeSpan OwnerKeptFor = TimeSpan.FromSeconds(10);

    public static string OwnerCacheKey(PrefixName prefix) => "owner." + prefix.Key;

    public async Task EnsureCanWriteAsync(ClaimsPrincipal user, PrefixName prefix, CancellationToken cancellationToken)
    {
        var caller = Require(user);
        if (caller.IsOperator)
        {
            return;
        }

        if (!AccessRoles.Writes(caller.Role))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, $"a {caller.Role} key cannot write");
        }

        await EnsureOwnedAsync(caller, prefix, cancellationToken);
    }

    public async Task EnsureCanListAsync(ClaimsPrincipal user, PrefixName prefix, CancellationToken cancellationToken)
    {
        var caller = Require(user);
        if (!caller.IsOperator)
        {
            await EnsureOwnedAsync(caller, prefix, cancellationToken);
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

    /// <summary>Whether the caller reads the values without publicRead of handles under this prefix. Anonymous callers never do, at no cost.</summary>
    public async ValueTask<bool> SeesRestrictedAsync(ClaimsPrincipal user, PrefixName prefix, CancellationToken cancellationToken)
    {
        if (Caller.From(user) is not { } caller)
        {
            return false;
        }

        if (caller.IsOperator)
        {
            return true;
        }

        if (caller.EnterpriseId is null)
        {
            return false;
        }

        try
        {
            var owner = await credentials.GetOrLoadAsync(
                OwnerCacheKey(prefix),
                async token => new PrefixOwner((await prefixes.FindAsync(prefix, token))?.EnterpriseId),
                _ => OwnerKeptFor,
                cancellationToken);
            return owner?.EnterpriseId == caller.EnterpriseId;
        }
        catch (Exception e) when (RegistryFailure.Is(e))
        {
            // The owner cannot be checked while the registry is down: answer with the public values, as cached.
            return false;
        }
    }

    /// <summary>
    /// A prefix's owner only ever changes from nobody to an enterprise, so a prefix served and owned by the caller's
    /// enterprise now stays so for the rest of the request. An unserved one is refused at once: it could be given to
    /// another enterprise while the request is still arriving.
    /// </summary>
    private async Task EnsureOwnedAsync(Caller caller, PrefixName prefix, CancellationToken cancellationToken)
    {
        var served = await prefixes.FindAsync(prefix, cancellationToken)
            ?? throw new HandleException(ResponseCode.ServerNotResponsible, $"this node does not serve prefix {prefix.Display}");
        if (caller.EnterpriseId is null || served.EnterpriseId != caller.EnterpriseId)
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, $"prefix {prefix.Display} does not belong to this key's enterprise");
        }
    }

    private static Caller Require(ClaimsPrincipal user) =>
        Caller.From(user) ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "this operation needs 'Authorization: Bearer <key>'");

    private sealed record PrefixOwner(long? EnterpriseId);
}

using System.Security.Claims;
using IdResolution.Core.Accounts;
using IdResolution.Core.Handles;
using IdResolution.Core.Values;
using IdResolution.Registry;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Writes;

/// <summary>
/// Whole-record writes as every API makes them: the caller's rights (prefix ownership or HS_ADMIN bits, and write
/// access to any record an HS_ALIAS names) checked, then the registry write, which validates values and template.
/// </summary>
public sealed class HandleWrites(HandleRegistry registry, PrefixAccess access)
{
    /// <summary>Creates a record; 101 when it exists.</summary>
    public async Task<WriteResult> CreateAsync(ClaimsPrincipal user, HandleName name, IReadOnlyList<HandleValue> values, CancellationToken cancellationToken)
    {
        await access.EnsureCanChangeAsync(user, name, _ => AdminPermissions.AddHandle, cancellationToken);
        await access.EnsureCanAliasAsync(user, values, cancellationToken);
        return await registry.CreateAsync(name, values, cancellationToken);
    }

    /// <summary>Creates a record, or replaces all values of the one there.</summary>
    public async Task<WriteResult> CreateOrReplaceAsync(ClaimsPrincipal user, HandleName name, IReadOnlyList<HandleValue> values, CancellationToken cancellationToken)
    {
        await access.EnsureCanChangeAsync(user, name, current => current is null ? AdminPermissions.AddHandle : ChangeBits.Replace(current, values), cancellationToken);
        await access.EnsureCanAliasAsync(user, values, cancellationToken);
        return await registry.ReplaceAsync(name, values, cancellationToken);
    }

    /// <summary>Replaces all values of a record that must exist; 100 when it does not.</summary>
    public async Task<WriteResult> ReplaceAsync(ClaimsPrincipal user, HandleName name, IReadOnlyList<HandleValue> values, CancellationToken cancellationToken)
    {
        await access.EnsureCanChangeAsync(user, name, current => current is null ? AdminPermissions.AddValue : ChangeBits.Replace(current, values), cancellationToken);
        await access.EnsureCanAliasAsync(user, values, cancellationToken);
        return await registry.ReplaceExistingAsync(name, values, cancellationToken);
    }

    /// <summary>
    /// Adds the given values, and replaces those with their indexes (the others kept) when <paramref name="overwrite"/>
    /// (otherwise 201 for an index in use); the record must exist.
    /// </summary>
    public async Task<WriteResult> UpsertAsync(ClaimsPrincipal user, HandleName name, IReadOnlyList<HandleValue> values, bool overwrite, CancellationToken cancellationToken)
    {
        await access.EnsureCanChangeAsync(user, name, current => current is null ? AdminPermissions.AddValue : ChangeBits.Upsert(current, values), cancellationToken);
        await access.EnsureCanAliasAsync(user, values, cancellationToken);
        return await registry.UpsertValuesAsync(name, values, overwrite, cancellationToken);
    }

    /// <summary>Removes the values with the given indexes; the record must exist and hold each of them.</summary>
    public async Task<WriteResult> RemoveValuesAsync(ClaimsPrincipal user, HandleName name, IReadOnlyCollection<int> indexes, CancellationToken cancellationToken)
    {
        await access.EnsureCanChangeAsync(user, name, current => current is null ? AdminPermissions.DeleteHandle : ChangeBits.Remove(current, indexes), cancellationToken);
        return await registry.RemoveValuesAsync(name, indexes, cancellationToken);
    }

    public async Task DeleteAsync(ClaimsPrincipal user, HandleName name, CancellationToken cancellationToken)
    {
        await access.EnsureCanChangeAsync(user, name, _ => AdminPermissions.DeleteHandle, cancellationToken);
        await registry.DeleteAsync(name, cancellationToken);
    }
}

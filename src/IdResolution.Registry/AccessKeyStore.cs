using System.Security.Cryptography;
using System.Text;
using IdResolution.Core;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry;

/// <summary>Bearer keys, stored as SHA-256 hashes: issued (shown once), listed, revoked, and expiring.</summary>
public sealed class AccessKeyStore(RegistryContext db, TimeProvider clock, WriteActor actor)
{
    public const int MaxNameLength = 200;

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>A new random key: 32 bytes, URL-safe base64, with a recognisable prefix.</summary>
    public static string NewKey() => "idr_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The key with this hash if it is neither revoked nor expired.</summary>
    public Task<AccessKey?> FindActiveAsync(byte[] hash, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return db.AccessKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.KeyHash == hash && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), cancellationToken);
    }

    /// <summary>The key with this id if it is neither revoked nor expired.</summary>
    public Task<AccessKey?> FindActiveAsync(long id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return db.AccessKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.Id == id && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), cancellationToken);
    }

    /// <summary>How many unexpired, unrevoked tokens were issued from a key.</summary>
    public Task<int> CountActiveTokensAsync(long parentId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return db.AccessKeys.CountAsync(k => k.ParentKeyId == parentId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), cancellationToken);
    }

    /// <summary>The key's live token that expires first (the one to retire when a login needs room), or null.</summary>
    public Task<AccessKey?> OldestActiveTokenAsync(long parentId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return db.AccessKeys.AsNoTracking()
            .Where(k => k.ParentKeyId == parentId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .OrderBy(k => k.ExpiresAt).ThenBy(k => k.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public Task<AccessKey?> FindAsync(long id, CancellationToken cancellationToken) =>
        db.AccessKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);

    /// <summary>Keys, newest first: all of them, or one enterprise's.</summary>
    public Task<List<AccessKey>> ListAsync(long? enterpriseId, CancellationToken cancellationToken)
    {
        var keys = db.AccessKeys.AsNoTracking();
        if (enterpriseId is not null)
        {
            keys = keys.Where(k => k.EnterpriseId == enterpriseId);
        }

        return keys.OrderByDescending(k => k.Id).ToListAsync(cancellationToken);
    }

    public Task<bool> AnyActiveAsync(string role, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return db.AccessKeys.AnyAsync(k => k.Role == role && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), cancellationToken);
    }

    /// <summary>What a new key is: its name, role, enterprise, expiry, admin identity and the key it derives from.</summary>
    public sealed record KeySpec(string Name, string Role, long? EnterpriseId, long? ExpiresAt, string? Identity = null, long? ParentKeyId = null);

    /// <summary>Issues a new random key; the returned secret is never stored and cannot be shown again.</summary>
    public async Task<(AccessKey Key, string Secret)> IssueAsync(KeySpec spec, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Length > MaxNameLength)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"a key needs a name of 1 to {MaxNameLength} characters");
        }

        if (!AccessRoles.IsKnown(spec.Role))
        {
            throw new HandleException(ResponseCode.InvalidValue, $"role must be one of {AccessRoles.Operator}, {AccessRoles.Admin}, {AccessRoles.Writer}, {AccessRoles.Reader}, {AccessRoles.Site}");
        }

        if ((spec.Role is AccessRoles.Operator or AccessRoles.Site) != (spec.EnterpriseId is null))
        {
            throw new HandleException(ResponseCode.InvalidValue, "operator and site keys belong to no enterprise; every other key to exactly one");
        }

        var now = clock.GetUtcNow();
        if (spec.ExpiresAt is not null && spec.ExpiresAt <= now.ToUnixTimeSeconds())
        {
            throw new HandleException(ResponseCode.InvalidValue, "expiresAt is in the past");
        }

        if (spec.Identity is not null && spec.ParentKeyId is null)
        {
            // An identity whose key expired may get a new one: the expired key is revoked first (its index entry freed).
            await db.AccessKeys.Where(k => k.Identity == spec.Identity && k.ParentKeyId == null && k.RevokedAt == null && k.ExpiresAt != null && k.ExpiresAt <= now.ToUnixTimeSeconds())
                .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, now.ToUnixTimeSeconds()), cancellationToken);
        }

        var secret = NewKey();
        var key = new AccessKey
        {
            Name = spec.Name,
            Role = spec.Role,
            KeyHash = Hash(secret),
            EnterpriseId = spec.EnterpriseId,
            ExpiresAt = spec.ExpiresAt,
            Identity = spec.Identity,
            ParentKeyId = spec.ParentKeyId,
            CreatedAt = now.ToUnixTimeSeconds(),
        };
        var detail = $"role={spec.Role} enterprise={spec.EnterpriseId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"
            + (spec.Identity is null ? "" : " identity=" + spec.Identity)
            + (spec.ParentKeyId is null ? "" : " from=" + KeyTarget(spec.ParentKeyId.Value));
        try
        {
            // The key's id names it in its audit entry: both in one transaction.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.AccessKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
            db.Audit.Add(actor.Audit(now.ToUnixTimeMilliseconds(), "key.issue", KeyTarget(key.Id), null, null, null, detail));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (key, secret);
        }
        catch (DbUpdateException) when (spec.Identity is not null && spec.ParentKeyId is null)
        {
            db.ChangeTracker.Clear();
            if (await db.AccessKeys.AnyAsync(k => k.Identity == spec.Identity && k.ParentKeyId == null && k.RevokedAt == null, cancellationToken))
            {
                throw new HandleException(ResponseCode.HandleAlreadyExists, $"identity {spec.Identity} already has a key; revoke it first");
            }

            throw;
        }
    }

    /// <summary>Adds a key whose secret the caller chose (the configured bootstrap key); nothing when it exists.</summary>
    public async Task AddAsync(string name, string role, string secret, CancellationToken cancellationToken)
    {
        var hash = Hash(secret);
        if (await db.AccessKeys.AnyAsync(k => k.KeyHash == hash, cancellationToken))
        {
            return;
        }

        var key = new AccessKey { Name = name, Role = role, KeyHash = hash, CreatedAt = clock.GetUtcNow().ToUnixTimeSeconds() };
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.AccessKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
            db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "key.issue", KeyTarget(key.Id), null, null, null, $"role={role}"));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (!await db.AccessKeys.AnyAsync(k => k.KeyHash == hash, cancellationToken))
            {
                throw;
            }

            // added concurrently by another node starting on the same registry
        }
    }

    /// <summary>Revokes a key and the tokens issued from it; the hashes of what was revoked (empty when it already was).</summary>
    public async Task<List<byte[]>> RevokeAsync(long id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var revoked = await db.AccessKeys.Where(k => (k.Id == id || k.ParentKeyId == id) && k.RevokedAt == null)
            .Select(k => new { k.Id, k.KeyHash }).ToListAsync(cancellationToken);
        if (!revoked.Any(k => k.Id == id))
        {
            return [];
        }

        var ids = revoked.ConvertAll(k => k.Id);
        await db.AccessKeys.Where(k => ids.Contains(k.Id)).ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, now.ToUnixTimeSeconds()), cancellationToken);
        foreach (var key in revoked)
        {
            db.Audit.Add(actor.Audit(now.ToUnixTimeMilliseconds(), "key.revoke", KeyTarget(key.Id), null, null, null, key.Id == id ? null : "with " + KeyTarget(id)));
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return revoked.ConvertAll(k => k.KeyHash);
    }

    /// <summary>Revokes every active operator key with this name except the given one (a replaced bootstrap key).</summary>
    public async Task<int> RevokeOthersAsync(string name, string keptKey, CancellationToken cancellationToken)
    {
        var kept = Hash(keptKey);
        var replaced = await db.AccessKeys
            .Where(k => k.Name == name && k.Role == AccessRoles.Operator && k.EnterpriseId == null && k.RevokedAt == null && k.KeyHash != kept)
            .Select(k => k.Id).ToListAsync(cancellationToken);
        foreach (var id in replaced)
        {
            await RevokeAsync(id, cancellationToken);
        }

        return replaced.Count;
    }

    /// <summary>Whether the key with this secret exists but was revoked.</summary>
    public Task<bool> IsRevokedAsync(string key, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        return db.AccessKeys.AnyAsync(k => k.KeyHash == hash && k.RevokedAt != null, cancellationToken);
    }

    public static string KeyTarget(long id) => "key:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

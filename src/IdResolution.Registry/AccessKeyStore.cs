using System.Security.Cryptography;
using System.Text;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry;

/// <summary>Bearer keys, stored as SHA-256 hashes.</summary>
public sealed class AccessKeyStore(RegistryContext db, TimeProvider clock)
{
    public const string OperatorRole = "operator";

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>A new random key: 32 bytes, URL-safe base64, with a recognisable prefix.</summary>
    public static string NewKey() => "idr_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public Task<AccessKey?> FindActiveAsync(byte[] hash, CancellationToken cancellationToken) =>
        db.AccessKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash && k.RevokedAt == null, cancellationToken);

    public Task<bool> AnyActiveAsync(string role, CancellationToken cancellationToken) =>
        db.AccessKeys.AnyAsync(k => k.Role == role && k.RevokedAt == null, cancellationToken);

    public async Task AddAsync(string name, string role, string key, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        if (await db.AccessKeys.AnyAsync(k => k.KeyHash == hash, cancellationToken))
        {
            return;
        }

        db.AccessKeys.Add(new AccessKey { Name = name, Role = role, KeyHash = hash, CreatedAt = clock.GetUtcNow().ToUnixTimeSeconds() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
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

    /// <summary>Revokes every active key with this name except the given one (a replaced bootstrap key).</summary>
    public Task<int> RevokeOthersAsync(string name, string keptKey, CancellationToken cancellationToken)
    {
        var kept = Hash(keptKey);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return db.AccessKeys.Where(k => k.Name == name && k.RevokedAt == null && k.KeyHash != kept)
            .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, now), cancellationToken);
    }
}

using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdResolution.Registry;

/// <summary>The prefixes this node serves: its own prefix and enterprise prefixes derived from it.</summary>
public sealed class PrefixRegistry(RegistryContext db, TimeProvider clock, IOptions<NodeOptions> node)
{
    public PrefixName NodePrefix { get; } = PrefixName.Parse(node.Value.Prefix);

    public Task<bool> IsServedAsync(PrefixName prefix, CancellationToken cancellationToken) =>
        db.Prefixes.AnyAsync(p => p.Key == prefix.Key, cancellationToken);

    /// <summary>Which of the given normalised prefixes this node serves, in one query.</summary>
    public async Task<HashSet<string>> ServedAmongAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        (await db.Prefixes.AsNoTracking().Where(p => keys.Contains(p.Key)).Select(p => p.Key).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);

    public async Task EnsureServedAsync(PrefixName prefix, CancellationToken cancellationToken)
    {
        if (!await IsServedAsync(prefix, cancellationToken))
        {
            throw new HandleException(ResponseCode.ServerNotResponsible, $"this node does not serve prefix {prefix.Display}");
        }
    }

    /// <summary>Homes a prefix here. It must be the node prefix or derived from it.</summary>
    public async Task<bool> CreateAsync(PrefixName prefix, CancellationToken cancellationToken)
    {
        if (!prefix.IsAtOrUnder(NodePrefix))
        {
            throw new HandleException(ResponseCode.ServerNotResponsible, $"prefix {prefix.Display} is not under this node's prefix {NodePrefix.Display}");
        }

        if (await IsServedAsync(prefix, cancellationToken))
        {
            return false;
        }

        db.Prefixes.Add(new ServedPrefix { Key = prefix.Key, Prefix = prefix.Display, CreatedAt = clock.GetUtcNow().ToUnixTimeSeconds() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await IsServedAsync(prefix, cancellationToken))
            {
                return false; // homed concurrently
            }

            throw;
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        await db.Prefixes.AsNoTracking().OrderBy(p => p.Key).Select(p => p.Prefix).ToListAsync(cancellationToken);
}

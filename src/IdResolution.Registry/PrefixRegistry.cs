using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Schemes;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdResolution.Registry;

/// <summary>The prefixes this node serves: its own prefix, enterprise prefixes derived from it, OID arcs and GS1 company prefixes.</summary>
public sealed class PrefixRegistry(RegistryContext db, TimeProvider clock, IOptions<NodeOptions> node, IOptions<HierarchyOptions> hierarchy, FilingNotice notice, WriteActor actor)
{
    private static readonly PrefixName NamingAuthority = PrefixName.Parse(PrefixName.RecordPrefix);

    public PrefixName NodePrefix { get; } = PrefixName.Parse(node.Value.Prefix);

    public Task<bool> IsServedAsync(PrefixName prefix, CancellationToken cancellationToken) =>
        db.Prefixes.AnyAsync(p => p.Key == prefix.Key, cancellationToken);

    /// <summary>Which of the given normalised prefixes this node serves, in one query.</summary>
    public async Task<HashSet<string>> ServedAmongAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        (await db.Prefixes.AsNoTracking().Where(p => keys.Contains(p.Key)).Select(p => p.Key).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The served prefix a name belongs to: a handle's home prefix, or the longest served OID arc or GS1 company prefix
    /// covering an OID or GS1 key (one query over its candidates); null when none is served here.
    /// </summary>
    public async Task<ServedPrefix?> FindHomeAsync(HandleName name, CancellationToken cancellationToken)
    {
        if (name.Scheme == IdentifierScheme.Handle)
        {
            // A prefix record lives with its prefix; a top-level node holds those of prefixes served elsewhere under 0.NA.
            return await FindAsync(name.HomePrefix, cancellationToken)
                ?? (name.IsPrefixRecord(out _) ? await FindAsync(NamingAuthority, cancellationToken) : null);
        }

        var keys = SchemeNames.HomeCandidates(name).ConvertAll(p => p.Key);
        var served = await db.Prefixes.AsNoTracking().Where(p => keys.Contains(p.Key)).ToListAsync(cancellationToken);
        return served.MaxBy(p => p.Key.Length);
    }

    /// <summary>The served prefix a name belongs to, or 301 naming what would have to be served.</summary>
    public async Task<PrefixName> EnsureHomeAsync(HandleName name, CancellationToken cancellationToken) =>
        await FindHomeAsync(name, cancellationToken) is { } home
            ? PrefixName.Parse(home.Prefix)
            : throw new HandleException(ResponseCode.ServerNotResponsible, NotServedMessage(name));

    /// <summary>Why a name is not served here, in its scheme's terms.</summary>
    public static string NotServedMessage(HandleName name) => name.Scheme switch
    {
        IdentifierScheme.Oid => $"no OID arc served by this node covers {name.Display}",
        IdentifierScheme.Gs1 => $"no GS1 company prefix served by this node covers {name.Display}",
        _ => $"this node does not serve prefix {name.HomePrefix.Display}",
    };

    public async Task EnsureServedAsync(PrefixName prefix, CancellationToken cancellationToken)
    {
        if (!await IsServedAsync(prefix, cancellationToken))
        {
            throw new HandleException(ResponseCode.ServerNotResponsible, $"this node does not serve prefix {prefix.Display}");
        }
    }

    public Task<ServedPrefix?> FindAsync(PrefixName prefix, CancellationToken cancellationToken) =>
        db.Prefixes.AsNoTracking().FirstOrDefaultAsync(p => p.Key == prefix.Key, cancellationToken);

    /// <summary>
    /// Homes a prefix here, owned by <paramref name="owner"/> (null: operators only). It must be the node prefix or
    /// derived from it; false when it was already served (its owner is then left as it was).
    /// </summary>
    public Task<bool> CreateAsync(PrefixName prefix, long? owner, CancellationToken cancellationToken)
    {
        EnsureUnderNodePrefix(prefix);
        return HomeAsync(prefix, owner, cancellationToken);
    }

    /// <summary>On a top-level node: serves 0.NA, under which it holds the records of prefixes served by other nodes.</summary>
    public Task<bool> ServeNamingAuthorityAsync(CancellationToken cancellationToken) => HomeAsync(NamingAuthority, owner: null, cancellationToken);

    private async Task<bool> HomeAsync(PrefixName prefix, long? owner, CancellationToken cancellationToken)
    {
        if (await IsServedAsync(prefix, cancellationToken))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        db.Prefixes.Add(new ServedPrefix { Key = prefix.Key, Prefix = prefix.Display, EnterpriseId = owner, CreatedAt = now.ToUnixTimeSeconds() });
        db.Audit.Add(actor.Audit(now.ToUnixTimeMilliseconds(), "prefix.create", prefix.Key, prefix.Key, null, null, OwnerDetail(owner)));
        AddFiling(prefix, PrefixFiling.File, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            NoticeFiling();
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

    /// <summary>
    /// Gives an enterprise a prefix: homes it here when needed, or takes it over from the operators. A prefix
    /// another enterprise owns is refused (101); false when the enterprise already owned it.
    /// </summary>
    public async Task<bool> AssignAsync(PrefixName prefix, long enterpriseId, CancellationToken cancellationToken)
    {
        EnsureUnderNodePrefix(prefix);
        if (prefix.Key == NodePrefix.Key)
        {
            throw new HandleException(ResponseCode.InvalidHandle, $"the node prefix {NodePrefix.Display} belongs to the node's operators; give enterprises prefixes under it");
        }

        var row = await FindAsync(prefix, cancellationToken);
        if (row is null)
        {
            return await CreateAsync(prefix, enterpriseId, cancellationToken) || await AssignAsync(prefix, enterpriseId, cancellationToken);
        }

        if (row.EnterpriseId == enterpriseId)
        {
            return false;
        }

        // Only an unowned prefix changes hands, checked in the UPDATE itself so that two concurrent claims cannot both win.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var taken = row.EnterpriseId is null && await db.Prefixes.Where(p => p.Key == prefix.Key && p.EnterpriseId == null)
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.EnterpriseId, enterpriseId), cancellationToken) == 1;
        if (!taken)
        {
            await transaction.RollbackAsync(cancellationToken);
            if ((await FindAsync(prefix, cancellationToken))?.EnterpriseId == enterpriseId)
            {
                return false; // the same enterprise's concurrent claim won
            }

            throw new HandleException(ResponseCode.HandleAlreadyExists, $"prefix {prefix.Display} belongs to another enterprise");
        }

        db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "prefix.assign", prefix.Key, prefix.Key, null, null, OwnerDetail(enterpriseId)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Stops serving a prefix (the reference API's "unhome"), drops its prefix record <c>0.NA/&lt;prefix&gt;</c> and, on a
    /// node that files, unfiles it in the same transaction. The node prefix and prefixes still holding identifiers are
    /// refused; false when it was not served. Callers drop cached answers about the prefix record and the prefix's names.
    /// </summary>
    public async Task<bool> DeleteAsync(PrefixName prefix, CancellationToken cancellationToken)
    {
        if (prefix.Key == NodePrefix.Key)
        {
            throw new HandleException(ResponseCode.InvalidHandle, $"the node prefix {NodePrefix.Display} cannot be unhomed");
        }

        var now = clock.GetUtcNow();
        var record = prefix.RecordName.Key;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One statement: the prefix goes only if no identifier lives under it at that moment.
        if (await db.Prefixes.Where(p => p.Key == prefix.Key && !db.Handles.Any(h => h.Prefix == prefix.Key)).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return await IsServedAsync(prefix, cancellationToken)
                ? throw new HandleException(ResponseCode.HandleAlreadyExists, $"prefix {prefix.Display} still holds identifiers; delete them first")
                : false;
        }

        // Its prefix record (HS_ADMIN grants over it) goes with it: they must not apply to whoever is given the prefix next.
        await db.Handles.Where(h => h.Key == record).ExecuteDeleteAsync(cancellationToken);

        db.Audit.Add(actor.Audit(now.ToUnixTimeMilliseconds(), "prefix.delete", prefix.Key, prefix.Key, null, null, null));
        AddFiling(prefix, PrefixFiling.Unfile, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        NoticeFiling();
        return true;
    }

    /// <summary>
    /// Queues a filing of every handle prefix served here that has none pending: at start, so that prefixes homed before
    /// the node had a top-level node, a top-level node rebuilt, or a changed address are all put right.
    /// </summary>
    public async Task QueueRefilingAsync(CancellationToken cancellationToken)
    {
        var pending = await db.Filings.Where(f => f.DeliveredAt == null).Select(f => f.Prefix).ToListAsync(cancellationToken);
        var queued = new HashSet<string>(pending.Select(p => PrefixName.Parse(p).Key), StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        foreach (var served in await db.Prefixes.AsNoTracking().OrderBy(p => p.Key).ToListAsync(cancellationToken))
        {
            if (!queued.Contains(served.Key) && PrefixName.TryParse(served.Prefix, out var prefix, out _))
            {
                AddFiling(prefix, PrefixFiling.File, now);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Handle prefixes are filed with the top-level node; OID arcs and GS1 company prefixes are allocated outside it.</summary>
    private void AddFiling(PrefixName prefix, string action, DateTimeOffset now)
    {
        if (hierarchy.Value.Files && prefix.Scheme == IdentifierScheme.Handle)
        {
            db.Filings.Add(new PrefixFiling { Prefix = prefix.Display, Action = action, CreatedAt = now.ToUnixTimeSeconds(), NextAttemptAt = now.ToUnixTimeSeconds() });
        }
    }

    private void NoticeFiling()
    {
        if (hierarchy.Value.Files)
        {
            notice.Written();
        }
    }

    private static string OwnerDetail(long? owner) =>
        "owner=" + (owner?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "operators");

    private void EnsureUnderNodePrefix(PrefixName prefix)
    {
        // OID arcs and GS1 company prefixes are allocated outside the handle hierarchy.
        if (prefix.Scheme == IdentifierScheme.Handle && !prefix.IsAtOrUnder(NodePrefix))
        {
            throw new HandleException(ResponseCode.ServerNotResponsible, $"prefix {prefix.Display} is not under this node's prefix {NodePrefix.Display}");
        }
    }

    /// <summary>The prefixes an enterprise owns, in key order.</summary>
    public async Task<IReadOnlyList<string>> OwnedByAsync(long enterpriseId, CancellationToken cancellationToken) =>
        await db.Prefixes.AsNoTracking().Where(p => p.EnterpriseId == enterpriseId).OrderBy(p => p.Key).Select(p => p.Prefix).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        await db.Prefixes.AsNoTracking().OrderBy(p => p.Key).Select(p => p.Prefix).ToListAsync(cancellationToken);
}

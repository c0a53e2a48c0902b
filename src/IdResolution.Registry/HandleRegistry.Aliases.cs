using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Values;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry;

/// <summary>
/// Alias bookkeeping: every write of a record stages its row in <c>handle_aliases</c> in the same transaction, so a
/// target always lists exactly the committed aliases that name it. Aliases are one hop: a name with aliases cannot
/// become one, nor can an alias be a target.
/// </summary>
public sealed partial class HandleRegistry
{
    /// <summary>Targets whose alias lists the pending write changes; their cached answers are invalidated after the commit.</summary>
    private readonly List<string> _retargeted = [];

    /// <summary>A name becoming an alias in the pending write: what the event index holds under it moves to its target.</summary>
    private (string Alias, string Target)? _merge;

    /// <summary>The aliases of many targets, in one query (batch resolves).</summary>
    public async Task<Dictionary<string, List<string>>> AliasesOfAsync(IReadOnlyCollection<string> targetKeys, CancellationToken cancellationToken)
    {
        var rows = await db.Aliases.AsNoTracking().Where(a => targetKeys.Contains(a.TargetKey)).OrderBy(a => a.Alias).ToListAsync(cancellationToken);
        var aliases = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var list = aliases.TryGetValue(row.TargetKey, out var found) ? found : aliases[row.TargetKey] = [];
            if (list.Count < MaxListedAliases)
            {
                list.Add(row.Alias);
            }
        }

        return aliases;
    }

    /// <summary>Stages the alias row of <paramref name="name"/> for its new values (null: the record is deleted).</summary>
    private async Task StageAliasAsync(HandleName name, IReadOnlyList<HandleValue>? values, CancellationToken cancellationToken)
    {
        _retargeted.Clear();
        _merge = null;
        var target = AliasRules.Target(values);
        var row = await db.Aliases.FirstOrDefaultAsync(a => a.AliasKey == name.Key, cancellationToken);
        var before = row?.TargetKey;
        if (before == target?.Key)
        {
            return;
        }

        if (target is { } t)
        {
            await EnsureCanTargetAsync(name, t, cancellationToken);
            _retargeted.Add(t.Key);
            _merge = (name.Key, t.Key);
        }

        if (before is not null)
        {
            _retargeted.Add(before);
        }

        if (row is null)
        {
            db.Aliases.Add(new HandleAlias { AliasKey = name.Key, Alias = name.Display, TargetKey = target!.Value.Key });
        }
        else if (target is { } moved)
        {
            row.TargetKey = moved.Key;
        }
        else
        {
            db.Aliases.Remove(row);
        }
    }

    private async Task EnsureCanTargetAsync(HandleName name, HandleName target, CancellationToken cancellationToken)
    {
        if (target.Key == name.Key)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"{name.Display} cannot be an alias of itself");
        }

        if (await db.Aliases.AsNoTracking().FirstOrDefaultAsync(a => a.TargetKey == name.Key, cancellationToken) is { } named)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"{name.Display} has aliases ({named.Alias}); a name with aliases cannot become an alias");
        }

        if (await db.Aliases.AsNoTracking().FirstOrDefaultAsync(a => a.AliasKey == target.Key, cancellationToken) is { } chained)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"{target.Display} is itself an alias of {chained.TargetKey}; name the record itself");
        }

        if (!await ExistsAsync(target, cancellationToken))
        {
            throw new HandleException(ResponseCode.InvalidValue, $"the alias target {target.Display} is not registered");
        }
    }

    /// <summary>Saves the pending write; when it makes a name an alias, moves the name's events to its target in the same transaction.</summary>
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (_merge is not { } merge)
        {
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        // Two writes racing to make X an alias of Y and Y of X (or a chain) both passed the checks made while staging:
        // the pair's rows are locked (SQLite: the transaction holds the write lock) and the checks run again, now
        // seeing every committed alias.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync(
                $"""SELECT 1 FROM "handles" WHERE "key" IN ({merge.Alias}, {merge.Target}) ORDER BY "key" FOR UPDATE""", cancellationToken);
        }

        await EnsureCanTargetAsync(HandleName.Parse(merge.Alias), HandleName.Parse(merge.Target), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await objects.MergeAsync(merge.Alias, merge.Target, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Tells the listeners that targets' alias lists changed (their cached answers list them).</summary>
    private async Task NotifyRetargetedAsync()
    {
        foreach (var key in _retargeted)
        {
            if (HandleName.TryParse(key, out var target, out _))
            {
                await NotifyAsync(target, HandleChange.AliasesChanged);
            }
        }

        _retargeted.Clear();
    }
}

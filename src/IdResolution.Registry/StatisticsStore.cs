using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry;

/// <summary>Counts to add to one prefix's figures for one day.</summary>
public sealed record StatisticsDelta(string Prefix, int Day, long Resolutions, long Registrations, long Updates, long Deletions);

/// <summary>Durable per-prefix, per-day figures. Nodes add their counts in batches; additions commute, so nodes never conflict.</summary>
public sealed class StatisticsStore(RegistryContext db)
{
    public async Task AddAsync(IReadOnlyCollection<StatisticsDelta> deltas, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Rows in one order on every node, so that two nodes flushing together cannot deadlock.
        foreach (var d in deltas.OrderBy(d => d.Prefix, StringComparer.Ordinal).ThenBy(d => d.Day))
        {
            // Plain SQL: an upsert that adds, understood by both PostgreSQL and SQLite.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO prefix_statistics (prefix, day, resolutions, registrations, updates, deletions)
                VALUES ({d.Prefix}, {d.Day}, {d.Resolutions}, {d.Registrations}, {d.Updates}, {d.Deletions})
                ON CONFLICT (prefix, day) DO UPDATE SET
                  resolutions = prefix_statistics.resolutions + excluded.resolutions,
                  registrations = prefix_statistics.registrations + excluded.registrations,
                  updates = prefix_statistics.updates + excluded.updates,
                  deletions = prefix_statistics.deletions + excluded.deletions
                """, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Figures for days <paramref name="fromDay"/>..<paramref name="toDay"/> (yyyymmdd), for one prefix or all.</summary>
    public async Task<List<PrefixStatistic>> QueryAsync(string? prefixKey, int fromDay, int toDay, CancellationToken cancellationToken)
    {
        var query = db.Statistics.AsNoTracking().Where(s => s.Day >= fromDay && s.Day <= toDay);
        if (prefixKey is not null)
        {
            query = query.Where(s => s.Prefix == prefixKey);
        }

        return await query.OrderBy(s => s.Day).ThenBy(s => s.Prefix).ToListAsync(cancellationToken);
    }
}

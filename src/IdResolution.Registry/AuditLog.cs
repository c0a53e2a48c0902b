using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry;

/// <summary>What operators ask of the audit log: entries newest first, narrowed by prefix, target, key and time.</summary>
public sealed record AuditQuery(string? Prefix, string? Target, long? KeyId, long? EnterpriseId, long? FromMs, long? ToMs, long? BeforeId, int Limit);

/// <summary>Reads the audit log. Entries are written by each write itself, in the write's own transaction.</summary>
public sealed class AuditLog(RegistryContext db)
{
    public async Task<List<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var entries = db.Audit.AsNoTracking();
        if (query.Prefix is not null)
        {
            entries = entries.Where(a => a.Prefix == query.Prefix);
        }

        if (query.Target is not null)
        {
            entries = entries.Where(a => a.Target == query.Target);
        }

        if (query.KeyId is not null)
        {
            entries = entries.Where(a => a.KeyId == query.KeyId);
        }

        if (query.EnterpriseId is not null)
        {
            entries = entries.Where(a => a.EnterpriseId == query.EnterpriseId);
        }

        if (query.FromMs is not null)
        {
            entries = entries.Where(a => a.At >= query.FromMs);
        }

        if (query.ToMs is not null)
        {
            entries = entries.Where(a => a.At < query.ToMs);
        }

        if (query.BeforeId is not null)
        {
            entries = entries.Where(a => a.Id < query.BeforeId);
        }

        return await entries.OrderByDescending(a => a.Id).Take(query.Limit).ToListAsync(cancellationToken);
    }
}

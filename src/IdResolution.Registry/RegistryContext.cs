using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry;

/// <summary>
/// The registry's EF Core model. Each provider has its own derived context type so that it keeps its own
/// migrations (Migrations/Postgres, Migrations/Sqlite); code uses this base type.
/// </summary>
public abstract class RegistryContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<StoredHandle> Handles => Set<StoredHandle>();

    public DbSet<HandleAlias> Aliases => Set<HandleAlias>();

    public DbSet<StoredTemplate> Templates => Set<StoredTemplate>();

    public DbSet<ServedPrefix> Prefixes => Set<ServedPrefix>();

    public DbSet<AccessKey> AccessKeys => Set<AccessKey>();

    public DbSet<PrefixStatistic> Statistics => Set<PrefixStatistic>();

    public DbSet<Enterprise> Enterprises => Set<Enterprise>();

    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    public DbSet<StoredEvent> Events => Set<StoredEvent>();

    public DbSet<StoredEventId> EventIds => Set<StoredEventId>();

    /// <summary>The events whose eventIDs match <paramref name="which"/>: eventIDs are kept (unique) in their own table.</summary>
    public IQueryable<StoredEvent> EventsByEventId(System.Linq.Expressions.Expression<Func<StoredEventId, bool>> which) =>
        EventIds.Where(which).Join(Events, k => k.EventPk, e => e.Id, (_, e) => e);

    public DbSet<StoredEventObject> EventObjects => Set<StoredEventObject>();

    public DbSet<EventLink> EventLinks => Set<EventLink>();

    public DbSet<ObjectState> ObjectStates => Set<ObjectState>();

    public DbSet<StoredCapture> Captures => Set<StoredCapture>();

    public DbSet<PrefixFiling> Filings => Set<PrefixFiling>();

    public DbSet<SiteReport> SiteReports => Set<SiteReport>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredHandle>(handle =>
        {
            handle.ToTable("handles");
            handle.HasKey(h => h.Key);
            handle.Property(h => h.Version).IsConcurrencyToken();
            // Listing a prefix walks this index in key order; no scan of other prefixes.
            handle.HasIndex(h => new { h.Prefix, h.Key });
        });

        modelBuilder.Entity<HandleAlias>(alias =>
        {
            alias.ToTable("handle_aliases");
            alias.HasKey(a => a.AliasKey);
            alias.HasIndex(a => new { a.TargetKey, a.Alias });
        });

        modelBuilder.Entity<ServedPrefix>(prefix =>
        {
            prefix.ToTable("prefixes");
            prefix.HasKey(p => p.Key);
            prefix.HasOne<Enterprise>().WithMany().HasForeignKey(p => p.EnterpriseId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<StoredTemplate>(template =>
        {
            template.ToTable("metadata_templates");
            template.HasIndex(t => new { t.Name, t.Version }).IsUnique();
            template.HasIndex(t => t.EnterpriseId);
        });

        modelBuilder.Entity<Enterprise>(enterprise =>
        {
            enterprise.ToTable("enterprises");
            enterprise.HasIndex(e => e.CreditCode).IsUnique();
        });

        modelBuilder.Entity<StoredEvent>(e =>
        {
            e.ToTable("epcis_events");
            e.HasIndex(x => x.EventTime);
            e.HasIndex(x => new { x.BizStep, x.EventTime });
            e.HasIndex(x => new { x.BizLocation, x.EventTime });
            e.HasIndex(x => x.TransformationId);
        });

        modelBuilder.Entity<StoredEventId>(i =>
        {
            i.ToTable("epcis_event_ids");
            i.HasKey(x => x.EventId);
        });

        modelBuilder.Entity<StoredEventObject>(o =>
        {
            o.ToTable("epcis_event_objects");
            o.HasKey(x => new { x.EventPk, x.Name, x.Role });
            // Every query by object (MATCH_*, timelines, state) leads on the name.
            o.HasIndex(x => new { x.Name, x.Role, x.EventPk });
        });

        modelBuilder.Entity<EventLink>(l =>
        {
            l.ToTable("epcis_links");
            // Trace forward walks from -> to, trace back to -> from: an index leading on each.
            l.HasKey(x => new { x.FromObject, x.ToObject, x.EventPk });
            l.HasIndex(x => new { x.ToObject, x.FromObject });
            // Links written before unpacking was tracked, or by bulk loads, hold for ever.
            l.Property(x => x.ValidTo).HasDefaultValue(long.MaxValue);
        });

        modelBuilder.Entity<ObjectState>(s =>
        {
            s.ToTable("epcis_object_states");
            s.HasKey(x => x.Name);
        });

        modelBuilder.Entity<StoredCapture>(c => c.ToTable("epcis_captures"));

        modelBuilder.Entity<AuditEntry>(audit =>
        {
            audit.ToTable("audit_log");
            // The audit queries: by time, and by prefix, target or key within a time range.
            audit.HasIndex(a => a.At);
            audit.HasIndex(a => new { a.Prefix, a.At });
            audit.HasIndex(a => new { a.Target, a.At });
            audit.HasIndex(a => new { a.KeyId, a.At });
            audit.HasIndex(a => new { a.EnterpriseId, a.At });
        });

        modelBuilder.Entity<AccessKey>(key =>
        {
            key.ToTable("access_keys");
            key.HasIndex(k => k.KeyHash).IsUnique();
            key.HasIndex(k => k.EnterpriseId);
            // One live key per identity (a revoked one frees it); the short-lived tokens issued from it carry the same identity.
            key.HasIndex(k => k.Identity).IsUnique().HasFilter("parent_key_id IS NULL AND revoked_at IS NULL");
            key.HasIndex(k => k.ParentKeyId);
            key.HasOne<Enterprise>().WithMany().HasForeignKey(k => k.EnterpriseId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<PrefixFiling>(filing =>
        {
            filing.ToTable("prefix_filings");
            // Delivery reads the pending rows in order; delivered ones stay as the record of what was filed.
            filing.HasIndex(f => f.Id).HasFilter("delivered_at IS NULL").HasDatabaseName("ix_prefix_filings_pending");
        });

        modelBuilder.Entity<SiteReport>(report =>
        {
            report.ToTable("site_reports");
            // A report carries whole-day figures: a repeated or later report of the same day replaces them.
            report.HasKey(r => new { r.Site, r.Prefix, r.Day });
            report.HasIndex(r => r.Day);
        });

        modelBuilder.Entity<PrefixStatistic>(statistic =>
        {
            statistic.ToTable("prefix_statistics");
            statistic.HasKey(s => new { s.Prefix, s.Day });
            statistic.HasIndex(s => s.Day);
        });
    }
}

public sealed class PostgresRegistryContext(DbContextOptions<PostgresRegistryContext> options) : RegistryContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        UseByteOrderKeys(modelBuilder);
    }

    /// <summary>
    /// Byte-order comparison for keys: faster than a linguistic collation, and what the suffix's case-sensitivity requires.
    /// </summary>
    internal static void UseByteOrderKeys(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredHandle>().Property(h => h.Key).UseCollation("C");
        modelBuilder.Entity<StoredHandle>().Property(h => h.Prefix).UseCollation("C");
        modelBuilder.Entity<ServedPrefix>().Property(p => p.Key).UseCollation("C");
        modelBuilder.Entity<HandleAlias>().Property(a => a.AliasKey).UseCollation("C");
        modelBuilder.Entity<HandleAlias>().Property(a => a.TargetKey).UseCollation("C");
        modelBuilder.Entity<AuditEntry>().Property(a => a.Target).UseCollation("C");
        modelBuilder.Entity<StoredEventObject>().Property(o => o.Name).UseCollation("C");
        modelBuilder.Entity<EventLink>().Property(l => l.FromObject).UseCollation("C");
        modelBuilder.Entity<EventLink>().Property(l => l.ToObject).UseCollation("C");
        modelBuilder.Entity<ObjectState>().Property(s => s.Name).UseCollation("C");
        modelBuilder.Entity<AuditEntry>().Property(a => a.Prefix).UseCollation("C");
    }
}

/// <summary>The same registry read from a PostgreSQL standby (<c>ConnectionStrings:RegistryRead</c>): resolves only, never migrated.</summary>
public sealed class PostgresStandbyContext(DbContextOptions<PostgresStandbyContext> options) : RegistryContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        PostgresRegistryContext.UseByteOrderKeys(modelBuilder);
    }
}

public sealed class SqliteRegistryContext(DbContextOptions<SqliteRegistryContext> options) : RegistryContext(options);

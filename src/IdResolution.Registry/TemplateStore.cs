using System.Collections.Concurrent;
using System.Text.Json;
using IdResolution.Core;
using IdResolution.Core.Json;
using IdResolution.Core.Templates;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry;

/// <summary>A template version as stored: the template, who owns it, and whether (since when) it is published.</summary>
public sealed record TemplateVersion(MetadataTemplate Template, long? EnterpriseId, long CreatedAt, long? PublishedAt)
{
    public bool Published => PublishedAt is not null;
}

/// <summary>
/// Metadata templates, versioned: drafts change until published; a published version never changes or goes away, so
/// identifiers registered under it stay valid whatever later versions say. Published versions are read through a
/// process-wide cache (they are immutable), so checking a write against its template costs no query after the first.
/// </summary>
public sealed class TemplateStore(RegistryContext db, TimeProvider clock, WriteActor actor)
{
    private static readonly ConcurrentDictionary<string, MetadataTemplate> PublishedCache = new(StringComparer.Ordinal);

    public async Task<TemplateVersion?> FindAsync(string name, string version, CancellationToken cancellationToken) =>
        await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Name == name && t.Version == version, cancellationToken) is { } row ? From(row) : null;

    public async Task<List<TemplateVersion>> ListAsync(string? name, CancellationToken cancellationToken)
    {
        var rows = db.Templates.AsNoTracking();
        if (name is not null)
        {
            rows = rows.Where(t => t.Name == name);
        }

        return (await rows.OrderBy(t => t.Name).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(cancellationToken)).ConvertAll(From);
    }

    /// <summary>The published version a write names, from memory after its first use; null when there is no such published version.</summary>
    public async ValueTask<MetadataTemplate?> FindPublishedAsync(TemplateReference reference, CancellationToken cancellationToken)
    {
        var key = reference.ToString();
        if (PublishedCache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var row = await db.Templates.AsNoTracking()
            .FirstOrDefaultAsync(t => t.Name == reference.Name && t.Version == reference.Version && t.PublishedAt != null, cancellationToken);
        return row is null ? null : PublishedCache.GetOrAdd(key, Parse(row.Definition));
    }

    /// <summary>Saves a new draft (or, with <paramref name="publish"/>, a published version at once); 101 when that version exists.</summary>
    public async Task<TemplateVersion> CreateAsync(MetadataTemplate template, long? owner, bool publish, CancellationToken cancellationToken)
    {
        EnsureValid(template);
        var now = clock.GetUtcNow();
        var row = new StoredTemplate
        {
            Name = template.Name,
            Version = template.Version,
            EnterpriseId = owner,
            IndustryCategory = template.IndustryCategory,
            Definition = Serialize(template),
            CreatedAt = now.ToUnixTimeSeconds(),
            PublishedAt = publish ? now.ToUnixTimeSeconds() : null,
        };
        db.Templates.Add(row);
        db.Audit.Add(actor.Audit(now.ToUnixTimeMilliseconds(), publish ? "template.publish" : "template.create", $"{template.Name}@{template.Version}", null, null, null, OwnerDetail(owner)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await ExistsAsync(template.Name, template.Version, cancellationToken))
            {
                throw new HandleException(ResponseCode.HandleAlreadyExists, $"template {template.Name} version {template.Version} already exists");
            }

            throw;
        }

        return From(row);
    }

    /// <summary>Replaces a draft's definition; a published version is refused (publish a new version instead).</summary>
    public async Task<TemplateVersion> UpdateDraftAsync(MetadataTemplate template, CancellationToken cancellationToken)
    {
        EnsureValid(template);
        var row = await DraftAsync(template.Name, template.Version, cancellationToken);
        row.Definition = Serialize(template);
        row.IndustryCategory = template.IndustryCategory;
        db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "template.update", $"{template.Name}@{template.Version}", null, null, null, null));
        await SaveOnceAsync(template.Name, template.Version, cancellationToken);
        return From(row);
    }

    public async Task<TemplateVersion> PublishAsync(string name, string version, CancellationToken cancellationToken)
    {
        var row = await DraftAsync(name, version, cancellationToken);
        row.PublishedAt = clock.GetUtcNow().ToUnixTimeSeconds();
        db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "template.publish", $"{name}@{version}", null, null, null, null));
        await SaveOnceAsync(name, version, cancellationToken);
        return From(row);
    }

    public async Task DeleteDraftAsync(string name, string version, CancellationToken cancellationToken)
    {
        var row = await DraftAsync(name, version, cancellationToken);
        db.Templates.Remove(row);
        db.Audit.Add(actor.Audit(clock.GetUtcNow().ToUnixTimeMilliseconds(), "template.delete", $"{name}@{version}", null, null, null, null));
        await SaveOnceAsync(name, version, cancellationToken);
    }

    /// <summary>The owner of any version of <paramref name="name"/>: versions of one template stay with one owner.</summary>
    public async Task<(bool Exists, long? EnterpriseId)> OwnerOfAsync(string name, CancellationToken cancellationToken)
    {
        var owners = await db.Templates.AsNoTracking().Where(t => t.Name == name).OrderBy(t => t.Id).Select(t => t.EnterpriseId).Take(1).ToListAsync(cancellationToken);
        return owners.Count == 0 ? (false, null) : (true, owners[0]);
    }

    public static MetadataTemplate Parse(string definition)
    {
        using var document = JsonDocument.Parse(definition);
        return TemplateJson.Read(document.RootElement);
    }

    private async Task<StoredTemplate> DraftAsync(string name, string version, CancellationToken cancellationToken)
    {
        var row = await db.Templates.FirstOrDefaultAsync(t => t.Name == name && t.Version == version, cancellationToken)
            ?? throw new HandleException(ResponseCode.HandleNotFound, $"template {name} version {version} does not exist");
        return row.PublishedAt is null
            ? row
            : throw new HandleException(ResponseCode.InvalidValue, $"template {name} version {version} is published and cannot change; publish a new version");
    }

    /// <summary>Saves a change to a draft, unless it was published (or changed) meanwhile.</summary>
    private async Task SaveOnceAsync(string name, string version, CancellationToken cancellationToken)
    {
        // A draft is changed only while still a draft: the update is guarded by re-reading under the same transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
        var stillDraft = await db.Templates.AsNoTracking().AnyAsync(t => t.Name == name && t.Version == version && t.PublishedAt == null, cancellationToken);
        if (!stillDraft)
        {
            throw new HandleException(ResponseCode.InvalidValue, $"template {name} version {version} was published meanwhile and cannot change");
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private Task<bool> ExistsAsync(string name, string version, CancellationToken cancellationToken) =>
        db.Templates.AsNoTracking().AnyAsync(t => t.Name == name && t.Version == version, cancellationToken);

    private static void EnsureValid(MetadataTemplate template)
    {
        if (template.Problems() is { Count: > 0 } problems)
        {
            throw new HandleException(ResponseCode.InvalidValue, "the template is not valid: " + string.Join("; ", problems));
        }
    }

    private static TemplateVersion From(StoredTemplate row) => new(Parse(row.Definition), row.EnterpriseId, row.CreatedAt, row.PublishedAt);

    private static string Serialize(MetadataTemplate template)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, HandleJsonWriter.Options))
        {
            writer.WriteStartObject();
            TemplateJson.Write(writer, template);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string OwnerDetail(long? owner) =>
        "owner=" + (owner?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "operators");
}

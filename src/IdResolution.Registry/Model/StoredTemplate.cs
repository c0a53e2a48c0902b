namespace IdResolution.Registry.Model;

/// <summary>One version of a metadata template: a draft its owner may still change, or published and immutable.</summary>
public sealed class StoredTemplate
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required string Version { get; set; }

    /// <summary>The enterprise that defines it; null for the node's own (operators') industry templates.</summary>
    public long? EnterpriseId { get; set; }

    public string? IndustryCategory { get; set; }

    /// <summary>The template as JSON (<see cref="Core.Templates.TemplateJson"/>).</summary>
    public required string Definition { get; set; }

    public long CreatedAt { get; set; }

    /// <summary>When it was published (Unix seconds); null while a draft.</summary>
    public long? PublishedAt { get; set; }
}

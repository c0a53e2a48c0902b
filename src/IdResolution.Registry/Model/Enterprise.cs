namespace IdResolution.Registry.Model;

/// <summary>A real-name enterprise account (tenant): it owns prefixes, and its keys may write only under them.</summary>
public sealed class Enterprise
{
    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The unified social credit code (GB 32100), 18 characters with a check character; unique.</summary>
    public required string CreditCode { get; set; }

    public string? Contact { get; set; }

    public string? Email { get; set; }

    public long CreatedAt { get; set; }
}

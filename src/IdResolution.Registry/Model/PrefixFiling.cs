namespace IdResolution.Registry.Model;

/// <summary>
/// The outbox of filings with the top-level node: one row per prefix homed or unhomed here, written in the same
/// transaction as the change, delivered (and retried) until the top-level node acknowledges it.
/// </summary>
public sealed class PrefixFiling
{
    public const string File = "file";
    public const string Unfile = "unfile";

    public long Id { get; set; }

    /// <summary>The prefix as written.</summary>
    public required string Prefix { get; set; }

    /// <summary><see cref="File"/> or <see cref="Unfile"/>.</summary>
    public required string Action { get; set; }

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>Unix seconds before which no attempt is made.</summary>
    public long NextAttemptAt { get; set; }

    /// <summary>Why the last attempt failed.</summary>
    public string? LastError { get; set; }

    /// <summary>Unix seconds of the acknowledgement; null while pending.</summary>
    public long? DeliveredAt { get; set; }
}

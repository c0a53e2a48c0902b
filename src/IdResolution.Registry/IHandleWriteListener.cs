using IdResolution.Core.Handles;

namespace IdResolution.Registry;

/// <summary>
/// Told after every committed change to a handle, before the write is acknowledged. The registry cannot
/// know what lives above it (caches, statistics, in other projects); this is how they learn of writes.
/// </summary>
public interface IHandleWriteListener
{
    Task HandleWrittenAsync(HandleName name, HandleChange change, CancellationToken cancellationToken);
}

public enum HandleChange
{
    Created,
    Updated,
    Deleted,

    /// <summary>The record itself is unchanged, but the aliases naming it changed (so do its answers, which list them).</summary>
    AliasesChanged,
}

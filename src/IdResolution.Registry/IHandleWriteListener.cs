using IdResolution.Core.Handles;

namespace IdResolution.Registry;

/// <summary>
/// Told after every committed change to a handle, before the write is acknowledged. The registry cannot
/// know the caches above it (they live in other projects); this is how they learn of writes.
/// </summary>
public interface IHandleWriteListener
{
    Task HandleWrittenAsync(HandleName name, CancellationToken cancellationToken);
}

namespace IdResolution.Core.Values;

/// <summary>A registered handle: its name as registered, its values ordered by index, and its write version.</summary>
public sealed record HandleRecord(string Handle, long Version, IReadOnlyList<HandleValue> Values)
{
    /// <summary>The other names of this object: records whose HS_ALIAS value names it, in name order.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
}

namespace IdResolution.Core.Values;

/// <summary>A registered handle: its name as registered, its values ordered by index, and its write version.</summary>
public sealed record HandleRecord(string Handle, long Version, IReadOnlyList<HandleValue> Values);

namespace IdResolution.Core.Values;

/// <summary>How a value's TTL is read (RFC 3651 section 3.1).</summary>
public enum TtlType : byte
{
    Relative = 0,
    Absolute = 1,
}

/// <summary>Per-value permission bits, with the RFC 3652 wire values.</summary>
[Flags]
public enum ValuePermissions : byte
{
    None = 0,
    PublicWrite = 0x01,
    PublicRead = 0x02,
    AdminWrite = 0x04,
    AdminRead = 0x08,

    /// <summary>What a value gets when the writer says nothing: admins read and write, everyone reads.</summary>
    Default = AdminRead | AdminWrite | PublicRead,
}

/// <summary>A pointer from a value to a value of another handle.</summary>
public sealed record ValueReference(string Handle, int Index);

/// <summary>One typed value of a handle. <see cref="Timestamp"/> is in Unix seconds, as on the wire.</summary>
public sealed record HandleValue(int Index, string Type, byte[] Data)
{
    public const int DefaultTtl = 86400;

    public int Ttl { get; init; } = DefaultTtl;

    public TtlType TtlType { get; init; } = TtlType.Relative;

    public long Timestamp { get; init; }

    public ValuePermissions Permissions { get; init; } = ValuePermissions.Default;

    public IReadOnlyList<ValueReference> References { get; init; } = [];

    public bool IsPublic => (Permissions & ValuePermissions.PublicRead) != 0;

    /// <summary>
    /// Type selection as in the Handle REST API: <c>URL</c> selects only <c>URL</c>; <c>URL.</c> (a trailing
    /// period) selects <c>URL</c> and its sub-types such as <c>URL.hash</c>. Types compare ASCII-case-insensitively.
    /// </summary>
    public bool HasType(string type)
    {
        if (!type.EndsWith('.'))
        {
            return string.Equals(Type, type, StringComparison.OrdinalIgnoreCase);
        }

        return Type.StartsWith(type, StringComparison.OrdinalIgnoreCase)
            || Type.AsSpan().Equals(type.AsSpan(0, type.Length - 1), StringComparison.OrdinalIgnoreCase);
    }
}

using IdResolution.Core.Wire;

namespace IdResolution.Core.Values;

/// <summary>HS_ADMIN permission bits, in RFC 3651 order (bit 0 first).</summary>
[Flags]
public enum AdminPermissions : ushort
{
    None = 0,
    AddHandle = 1 << 0,
    DeleteHandle = 1 << 1,
    AddDerivedPrefix = 1 << 2,
    DeleteDerivedPrefix = 1 << 3,
    ModifyValue = 1 << 4,
    RemoveValue = 1 << 5,
    AddValue = 1 << 6,
    ModifyAdmin = 1 << 7,
    RemoveAdmin = 1 << 8,
    AddAdmin = 1 << 9,
    ReadValue = 1 << 10,
    ListHandles = 1 << 11,
}

/// <summary>
/// The data of an HS_ADMIN value: which admin identity (handle + index) holds which permissions.
/// JSON shows the permissions as 12 '0'/'1' characters, highest bit (list handles) first, as the reference server does.
/// </summary>
public sealed record AdminValue(string Handle, int Index, AdminPermissions Permissions)
{
    public const int PermissionBits = 12;

    public byte[] Encode()
    {
        var writer = new WireWriter();
        writer.WriteUInt16((ushort)Permissions);
        writer.WriteString(Handle);
        writer.WriteInt32(Index);
        return writer.ToArray();
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out AdminValue? admin)
    {
        try
        {
            var reader = new WireReader(data);
            var permissions = (AdminPermissions)reader.ReadUInt16();
            admin = new AdminValue(reader.ReadString(), reader.ReadInt32(), permissions);
            return reader.AtEnd;
        }
        catch (FormatException)
        {
            admin = null;
            return false;
        }
    }

    public string PermissionString()
    {
        Span<char> bits = stackalloc char[PermissionBits];
        for (var bit = 0; bit < PermissionBits; bit++)
        {
            bits[PermissionBits - 1 - bit] = ((int)Permissions & (1 << bit)) != 0 ? '1' : '0';
        }

        return new string(bits);
    }

    public static bool TryParsePermissions(string text, out AdminPermissions permissions)
    {
        permissions = AdminPermissions.None;
        if (text.Length != PermissionBits)
        {
            return false;
        }

        for (var i = 0; i < PermissionBits; i++)
        {
            switch (text[i])
            {
                case '1':
                    permissions |= (AdminPermissions)(1 << (PermissionBits - 1 - i));
                    break;
                case '0':
                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}

using System.Net;
using IdResolution.Core.Wire;

namespace IdResolution.Core.Native;

/// <summary>One way to reach a server: what it answers (2 query, 3 admin + query) over which protocol (0 UDP, 1 TCP, 2 HTTP), on which port.</summary>
public readonly record struct SiteInterface(byte Type, byte Protocol, int Port)
{
    public const byte Query = 2;
    public const byte Udp = 0;
    public const byte Tcp = 1;
}

/// <summary>
/// A site's description (HS_SITE data, and the get-site-info answer): record format 1, the protocol version spoken,
/// serial, primary flag (0x80, as HANDLE.NET reads it), hash option, attributes, and servers with their interfaces.
/// IPv4 addresses take the last 4 of 16 bytes after 12 zeros. See docs/design/native-protocol.md §3.7.
/// </summary>
public sealed record SiteInfoRecord(
    short Serial, bool Primary, IReadOnlyList<(string Name, string Value)> Attributes, IReadOnlyList<(int Id, IPAddress Address, IReadOnlyList<SiteInterface> Interfaces)> Servers)
{
    /// <summary>Hash by whole handle: the reference default; one server makes it moot.</summary>
    private const byte HashByHandle = 2;

    public byte[] Encode()
    {
        var writer = new WireWriter(128);
        writer.WriteUInt16(1);
        writer.WriteByte(NativeResponses.MajorVersion);
        writer.WriteByte(NativeResponses.MinorVersion);
        writer.WriteUInt16(unchecked((ushort)Serial));
        writer.WriteByte(Primary ? (byte)0x80 : (byte)0);
        writer.WriteByte(HashByHandle);
        writer.WriteString("");
        writer.WriteInt32(Attributes.Count);
        foreach (var (name, value) in Attributes)
        {
            writer.WriteString(name);
            writer.WriteString(value);
        }

        writer.WriteInt32(Servers.Count);
        foreach (var (id, address, interfaces) in Servers)
        {
            writer.WriteInt32(id);
            var bytes = address.GetAddressBytes();
            for (var i = bytes.Length; i < 16; i++)
            {
                writer.WriteByte(0);
            }

            foreach (var b in bytes)
            {
                writer.WriteByte(b);
            }

            writer.WriteInt32(0); // no public key: answers are not signed
            writer.WriteInt32(interfaces.Count);
            foreach (var face in interfaces)
            {
                writer.WriteByte(face.Type);
                writer.WriteByte(face.Protocol);
                writer.WriteInt32(face.Port);
            }
        }

        return writer.ToArray();
    }
}

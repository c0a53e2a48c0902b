using System.Diagnostics.CodeAnalysis;
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
    /// <summary>Reads a site record (HS_SITE data) as any HANDLE.NET site writes it; public keys are read and not kept.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out SiteInfoRecord? site)
    {
        site = null;
        try
        {
            var reader = new WireReader(data);
            reader.ReadUInt16(); // record format
            reader.ReadUInt16(); // protocol version
            var serial = unchecked((short)reader.ReadUInt16());
            var primary = (reader.ReadByte() & 0x80) != 0;
            reader.ReadByte(); // hash option
            reader.ReadBytes(); // hash filter
            var attributes = new (string, string)[Count(reader.ReadInt32())];
            for (var i = 0; i < attributes.Length; i++)
            {
                attributes[i] = (reader.ReadString(), reader.ReadString());
            }

            var servers = new (int, IPAddress, IReadOnlyList<SiteInterface>)[Count(reader.ReadInt32())];
            Span<byte> address = stackalloc byte[16];
            for (var i = 0; i < servers.Length; i++)
            {
                var id = reader.ReadInt32();
                for (var b = 0; b < 16; b++)
                {
                    address[b] = reader.ReadByte();
                }

                reader.ReadBytes(); // public key
                var interfaces = new SiteInterface[Count(reader.ReadInt32())];
                for (var f = 0; f < interfaces.Length; f++)
                {
                    interfaces[f] = new SiteInterface(reader.ReadByte(), reader.ReadByte(), reader.ReadInt32());
                }

                // The first 12 bytes all zero mark an IPv4 address in the last 4.
                var ipv4 = !address[..12].ContainsAnyExcept((byte)0);
                servers[i] = (id, new IPAddress(ipv4 ? address[12..] : address), interfaces);
            }

            site = new SiteInfoRecord(serial, primary, attributes, servers);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static int Count(int count) => count is >= 0 and <= 1024 ? count : throw new FormatException($"count {count} is out of range");

    /// <summary>The first server's address and port for queries over TCP, or null when no server offers one.</summary>
    public System.Net.IPEndPoint? TcpQueryEndpoint()
    {
        foreach (var (_, address, interfaces) in Servers)
        {
            foreach (var face in interfaces)
            {
                if (face.Protocol == SiteInterface.Tcp && (face.Type & SiteInterface.Query) != 0)
                {
                    return new System.Net.IPEndPoint(address, face.Port);
                }
            }
        }

        return null;
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Net;
using IdResolution.Core.Wire;

namespace IdResolution.Core.Native;

/// <summary>One way to reach a server: what it answers (2 query, 3 admin + query) over which protocol (0 UDP, 1 TCP, 2 HTTP, 3 HTTPS), on which port.</summary>
public readonly record struct SiteInterface(byte Type, byte Protocol, int Port)
{
    public const byte Query = 2;
    public const byte Admin = 1;
    public const byte Udp = 0;
    public const byte Tcp = 1;
}

/// <summary>One server of a site: its id, address, public key (HS_PUBKEY encoding; empty when answers are unsigned) and interfaces.</summary>
public sealed record SiteServer(int Id, IPAddress Address, byte[] PublicKey, IReadOnlyList<SiteInterface> Interfaces);

/// <summary>
/// A site's description (HS_SITE data, and the get-site-info answer): record format, the protocol version spoken,
/// serial, primary mask (0x80 primary, 0x40 multi-primary, as HANDLE.NET reads it), hash option and filter, attributes,
/// and servers. Every field is kept, so that a record read and written again is the same bytes.
/// IPv4 addresses take the last 4 of 16 bytes after 12 zeros. See docs/design/native-protocol.md §3.7.
/// </summary>
public sealed record SiteInfoRecord(short Serial, byte PrimaryMask, IReadOnlyList<(string Name, string Value)> Attributes, IReadOnlyList<SiteServer> Servers)
{
    public const byte PrimaryBit = 0x80;

    public ushort FormatVersion { get; init; } = 1;

    public byte ProtocolMajor { get; init; } = NativeResponses.MajorVersion;

    public byte ProtocolMinor { get; init; } = NativeResponses.MinorVersion;

    /// <summary>Hash by whole handle (2) is the reference default; one server makes it moot.</summary>
    public byte HashOption { get; init; } = 2;

    public byte[] HashFilter { get; init; } = [];

    public bool Primary => (PrimaryMask & PrimaryBit) != 0;

    /// <summary>A primary site of one unsigned server answering queries over TCP and UDP on <paramref name="port"/>.</summary>
    public static SiteInfoRecord OneServer(short serial, IPAddress address, int port, IReadOnlyList<(string Name, string Value)> attributes) =>
        new(serial, PrimaryBit, attributes, [new SiteServer(1, address, [], [new(SiteInterface.Query, SiteInterface.Tcp, port), new(SiteInterface.Query, SiteInterface.Udp, port)])]);

    public byte[] Encode()
    {
        var writer = new WireWriter(128);
        writer.WriteUInt16(FormatVersion);
        writer.WriteByte(ProtocolMajor);
        writer.WriteByte(ProtocolMinor);
        writer.WriteUInt16(unchecked((ushort)Serial));
        writer.WriteByte(PrimaryMask);
        writer.WriteByte(HashOption);
        writer.WriteBytes(HashFilter);
        writer.WriteInt32(Attributes.Count);
        foreach (var (name, value) in Attributes)
        {
            writer.WriteString(name);
            writer.WriteString(value);
        }

        writer.WriteInt32(Servers.Count);
        foreach (var server in Servers)
        {
            writer.WriteInt32(server.Id);
            var bytes = server.Address.GetAddressBytes();
            for (var i = bytes.Length; i < 16; i++)
            {
                writer.WriteByte(0);
            }

            foreach (var b in bytes)
            {
                writer.WriteByte(b);
            }

            writer.WriteBytes(server.PublicKey);
            writer.WriteInt32(server.Interfaces.Count);
            foreach (var face in server.Interfaces)
            {
                writer.WriteByte(face.Type);
                writer.WriteByte(face.Protocol);
                writer.WriteInt32(face.Port);
            }
        }

        return writer.ToArray();
    }

    /// <summary>Reads a site record (HS_SITE data) as any HANDLE.NET site writes it; false when malformed or followed by stray bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out SiteInfoRecord? site)
    {
        site = null;
        try
        {
            var reader = new WireReader(data);
            var format = reader.ReadUInt16();
            var (major, minor) = (reader.ReadByte(), reader.ReadByte());
            var serial = unchecked((short)reader.ReadUInt16());
            var (mask, hash) = (reader.ReadByte(), reader.ReadByte());
            var filter = reader.ReadBytes().ToArray();
            var attributes = new (string, string)[Count(reader.ReadInt32())];
            for (var i = 0; i < attributes.Length; i++)
            {
                attributes[i] = (reader.ReadString(), reader.ReadString());
            }

            var servers = new SiteServer[Count(reader.ReadInt32())];
            Span<byte> address = stackalloc byte[16];
            for (var i = 0; i < servers.Length; i++)
            {
                var id = reader.ReadInt32();
                for (var b = 0; b < 16; b++)
                {
                    address[b] = reader.ReadByte();
                }

                var key = reader.ReadBytes().ToArray();
                var interfaces = new SiteInterface[Count(reader.ReadInt32())];
                for (var f = 0; f < interfaces.Length; f++)
                {
                    interfaces[f] = new SiteInterface(reader.ReadByte(), reader.ReadByte(), reader.ReadInt32());
                }

                // The first 12 bytes all zero mark an IPv4 address in the last 4.
                var ipv4 = !address[..12].ContainsAnyExcept((byte)0);
                servers[i] = new SiteServer(id, new IPAddress(ipv4 ? address[12..] : address), key, interfaces);
            }

            site = reader.AtEnd
                ? new SiteInfoRecord(serial, mask, attributes, servers) { FormatVersion = format, ProtocolMajor = major, ProtocolMinor = minor, HashOption = hash, HashFilter = filter }
                : null;
            return site is not null;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static int Count(int count) => count is >= 0 and <= 1024 ? count : throw new FormatException($"count {count} is out of range");

    /// <summary>
    /// The first server's address and port for queries over TCP; null when no server offers a usable one (a port outside
    /// 1–65535, or an unspecified, broadcast or multicast address, is not usable).
    /// </summary>
    public IPEndPoint? TcpQueryEndpoint()
    {
        foreach (var server in Servers)
        {
            if (!IsReachable(server.Address))
            {
                continue;
            }

            foreach (var face in server.Interfaces)
            {
                if (face.Protocol == SiteInterface.Tcp && (face.Type & SiteInterface.Query) != 0 && face.Port is > 0 and <= 65535)
                {
                    return new IPEndPoint(server.Address, face.Port);
                }
            }
        }

        return null;
    }

    private static bool IsReachable(IPAddress address) =>
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.Broadcast)
        && !address.IsIPv6Multicast && !(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224);
}

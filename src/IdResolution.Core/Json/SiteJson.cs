using System.Globalization;
using System.Net;
using System.Text.Json;
using IdResolution.Core.Native;

namespace IdResolution.Core.Json;

/// <summary>
/// HS_SITE data as JSON (<c>{"format":"site","value":{...}}</c>), field by field as the reference server shows it, and
/// read back into the same bytes: version, protocolVersion, serialNumber, primaryMask, hashOption, hashFilter,
/// attributes, servers (serverId, address, publicKey as base64, interfaces).
/// </summary>
public static class SiteJson
{
    private static readonly string[] Protocols = ["UDP", "TCP", "HTTP", "HTTPS"];

    public static void Write(Utf8JsonWriter writer, SiteInfoRecord site)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", site.FormatVersion);
        writer.WriteString("protocolVersion", $"{site.ProtocolMajor}.{site.ProtocolMinor}");
        writer.WriteNumber("serialNumber", site.Serial);
        writer.WriteStartObject("primaryMask");
        writer.WriteBoolean("primary", site.Primary);
        writer.WriteBoolean("multiPrimary", (site.PrimaryMask & 0x40) != 0);
        writer.WriteEndObject();
        writer.WriteNumber("hashOption", site.HashOption);
        writer.WriteBase64String("hashFilter", site.HashFilter);
        writer.WriteStartArray("attributes");
        foreach (var (name, text) in site.Attributes)
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("value", text);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("servers");
        foreach (var server in site.Servers)
        {
            writer.WriteStartObject();
            writer.WriteNumber("serverId", server.Id);
            writer.WriteString("address", server.Address.ToString());
            writer.WriteBase64String("publicKey", server.PublicKey);
            writer.WriteStartArray("interfaces");
            foreach (var face in server.Interfaces)
            {
                writer.WriteStartObject();
                writer.WriteBoolean("query", (face.Type & SiteInterface.Query) != 0);
                writer.WriteBoolean("admin", (face.Type & SiteInterface.Admin) != 0);
                writer.WriteString("protocol", face.Protocol < Protocols.Length ? Protocols[face.Protocol] : face.Protocol.ToString(CultureInfo.InvariantCulture));
                writer.WriteNumber("port", face.Port);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The site record a "site" value describes; <see cref="FormatException"/> naming what is wrong.</summary>
    public static SiteInfoRecord Read(JsonElement value)
    {
        var version = Property(value, "protocolVersion").GetString()?.Split('.') is [var major, var minor]
            ? (byte.Parse(major, CultureInfo.InvariantCulture), byte.Parse(minor, CultureInfo.InvariantCulture))
            : throw new FormatException("protocolVersion must read major.minor");
        var mask = Property(value, "primaryMask");
        var attributes = new List<(string, string)>();
        foreach (var attribute in Property(value, "attributes").EnumerateArray())
        {
            attributes.Add((Property(attribute, "name").GetString()!, Property(attribute, "value").GetString()!));
        }

        var servers = new List<SiteServer>();
        foreach (var server in Property(value, "servers").EnumerateArray())
        {
            var interfaces = new List<SiteInterface>();
            foreach (var face in Property(server, "interfaces").EnumerateArray())
            {
                var protocol = Property(face, "protocol").GetString();
                var index = Array.IndexOf(Protocols, protocol);
                interfaces.Add(new SiteInterface(
                    (byte)((Property(face, "query").GetBoolean() ? SiteInterface.Query : 0) | (Property(face, "admin").GetBoolean() ? SiteInterface.Admin : 0)),
                    index >= 0 ? (byte)index : byte.Parse(protocol ?? "", CultureInfo.InvariantCulture),
                    Property(face, "port").GetInt32()));
            }

            servers.Add(new SiteServer(
                Property(server, "serverId").GetInt32(), IPAddress.Parse(Property(server, "address").GetString()!), Property(server, "publicKey").GetBytesFromBase64(), interfaces));
        }

        return new SiteInfoRecord(
            Property(value, "serialNumber").GetInt16(),
            (byte)((Property(mask, "primary").GetBoolean() ? SiteInfoRecord.PrimaryBit : 0) | (Property(mask, "multiPrimary").GetBoolean() ? 0x40 : 0)),
            attributes,
            servers)
        {
            FormatVersion = Property(value, "version").GetUInt16(),
            ProtocolMajor = version.Item1,
            ProtocolMinor = version.Item2,
            HashOption = Property(value, "hashOption").GetByte(),
            HashFilter = Property(value, "hashFilter").GetBytesFromBase64(),
        };
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var property)
            ? property
            : throw new FormatException($"a site needs '{name}'");
}

using System.Net;
using System.Net.Sockets;
using IdResolution.Core;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// Which addresses a filed site may name. Every secondary node connects to the address a filing names, so a filing must
/// not aim them at themselves (loopback, unless a test topology allows it), at nobody in particular (unspecified,
/// broadcast, multicast) or at cloud metadata and other link-local services.
/// </summary>
public static class SiteAddressRules
{
    public static IPAddress Check(SiteAddress site, bool allowLoopback)
    {
        if (site.Port is <= 0 or > 65535 || !IPAddress.TryParse(site.Address, out var address))
        {
            throw new HandleException(ResponseCode.InvalidValue, "address must be an IP address and port a number from 1 to 65535");
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return Refusal(address, allowLoopback) is { } reason
            ? throw new HandleException(ResponseCode.InvalidValue, $"a site cannot be at {address}: {reason}")
            : address;
    }

    private static string? Refusal(IPAddress address, bool allowLoopback)
    {
        var bytes = address.GetAddressBytes();
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (IPAddress.IsLoopback(address))
        {
            return allowLoopback ? null : "a loopback address (Hierarchy:AllowLoopbackSites is for single-machine tests)";
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || (v4 && bytes[0] == 0))
        {
            return "an unspecified address";
        }

        if ((v4 && bytes[0] >= 224) || address.IsIPv6Multicast)
        {
            return "a multicast or broadcast address";
        }

        return (v4 && bytes[0] == 169 && bytes[1] == 254) || address.IsIPv6LinkLocal ? "a link-local address" : null;
    }
}

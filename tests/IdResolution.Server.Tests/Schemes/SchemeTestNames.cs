using IdResolution.Core.Schemes;
using IdResolution.Server.Tests.Infrastructure;

namespace IdResolution.Server.Tests.Schemes;

/// <summary>Fresh OID arcs and GS1 company prefixes for tests, given to an enterprise as an operator would.</summary>
public static class SchemeTestNames
{
    /// <summary>A random arc under 1.2.156 (China's OID arc), e.g. <c>1.2.156.4242424</c>.</summary>
    public static string NewArc() => $"1.2.156.{Random.Shared.Next(1_000_000, 9_999_999)}";

    /// <summary>A random 9-digit GS1 company prefix.</summary>
    public static string NewCompanyPrefix() => $"69{Random.Shared.Next(1_000_000, 9_999_999)}";

    /// <summary>A GTIN-14 under the company prefix: indicator 0, the prefix, the item reference, the check digit.</summary>
    public static string Gtin(string companyPrefix, int item)
    {
        var body = "0" + companyPrefix + item.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(12 - companyPrefix.Length, '0');
        return body + Gs1CheckDigit.Compute(body);
    }

    /// <summary>An SSCC under the company prefix: extension digit 1, the prefix, the serial reference, the check digit.</summary>
    public static string Sscc(string companyPrefix, int serial)
    {
        var body = "1" + companyPrefix + serial.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(16 - companyPrefix.Length, '0');
        return body + Gs1CheckDigit.Compute(body);
    }

    public static async Task AssignAsync(NodeServer node, Tenant tenant, string prefix) =>
        (await node.SendAsync(HttpMethod.Put, $"/admin/enterprises/{tenant.Id}/prefixes/{prefix}")).EnsureSuccessStatusCode();
}

using System.Net.Http.Headers;
using IdResolution.Registry;
using IdResolution.Server.Native;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>This secondary node's calls to its top-level node's HTTP API: filing prefixes and reporting statistics, with its site key.</summary>
public sealed class TopLevelClient(HttpClient http, IOptions<HierarchyOptions> options, IOptions<NativeOptions> native)
{
    /// <summary>Files or unfiles a prefix; throws <see cref="TopLevelRefusalException"/> or <see cref="HttpRequestException"/> when not acknowledged.</summary>
    public async Task DeliverAsync(string prefix, bool file, CancellationToken cancellationToken)
    {
        var path = "api/hierarchy/prefixes/" + Uri.EscapeDataString(prefix);
        using var request = file
            ? Request(HttpMethod.Put, path, JsonContent.Create(new SiteAddress(native.Value.AdvertisedIp.ToString(), native.Value.Port)))
            : Request(HttpMethod.Delete, path, null);
        await SendAsync(request, cancellationToken);
    }

    public async Task ReportAsync(StatisticsUpload upload, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, "api/hierarchy/reports", JsonContent.Create(upload));
        await SendAsync(request, cancellationToken);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, new Uri(options.Value.TopLevelUrl!, path)) { Content = content };
        if (options.Value.TopLevelKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            throw new TopLevelRefusalException($"{status} {detail[..Math.Min(detail.Length, 300)]}", status is >= 400 and < 500 and not 408 and not 429);
        }
    }
}

/// <summary>Where a filed prefix's site answers the native protocol (TCP and UDP).</summary>
public sealed record SiteAddress(string Address, int Port);

/// <summary>A report of whole-day figures per prefix; a later report of the same day replaces the earlier one's.</summary>
public sealed record StatisticsUpload(IReadOnlyList<DayFigures> Statistics);

/// <summary>One prefix's figures for one UTC day (yyyy-MM-dd).</summary>
public sealed record DayFigures(string Prefix, string Day, long Resolutions, long Registrations, long Updates, long Deletions);

/// <summary>The top-level node answered, but not with success; <see cref="Permanent"/> when asking again will not change that (4xx).</summary>
public sealed class TopLevelRefusalException(string message, bool permanent) : Exception(message)
{
    public bool Permanent { get; } = permanent;
}

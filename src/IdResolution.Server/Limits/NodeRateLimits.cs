using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using IdResolution.Core;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace IdResolution.Server.Limits;

/// <summary>
/// Per-key and per-address token buckets in front of every endpoint. A caller over its rate gets 429 with
/// <c>Retry-After</c> (Handle JSON code 3 under <c>/api</c>, problem+json elsewhere) or gRPC RESOURCE_EXHAUSTED with
/// a RetryInfo; <c>idres.limits.rejections</c> counts them by <c>idres.limit</c> = key | address.
/// </summary>
public static class NodeRateLimits
{
    public const string MeterName = "IdResolution.Limits";

    public static IServiceCollection AddNodeRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(LimitOptions.Section).Get<LimitOptions>() ?? new LimitOptions();
        services.AddSingleton<RejectionCounter>();
        services.AddRequestTimeouts(o => o.AddPolicy(WritePolicy, options.RequestTimeout));
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, RatePartition>(context => Partition(context, options));
            o.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>The request timeout policy of writes and administration (resolves are bounded by their layers' own timeouts).</summary>
    public const string WritePolicy = "writes";

    private static RateLimitPartition<RatePartition> Partition(HttpContext context, LimitOptions options)
    {
        // Anonymous requests (most of them) never look at claims; the address is compared by value, no string is built.
        var caller = context.User.Identity?.IsAuthenticated == true ? Caller.From(context.User) : null;
        var (key, perSecond) = caller is not null
            ? (new RatePartition(caller.RateKeyId, null), options.PerKeyPerSecond)
            : (new RatePartition(0, context.Connection.RemoteIpAddress ?? IPAddress.None), options.PerAddressPerSecond);
        if (perSecond <= 0)
        {
            return RateLimitPartition.GetNoLimiter(key);
        }

        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond * Math.Max(1, options.BurstSeconds),
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        var byKey = Caller.From(context.User) is not null;
        context.RequestServices.GetRequiredService<RejectionCounter>().Rejected(byKey);
        var message = $"too many requests from this {(byKey ? "key" : "address")}; retry after {seconds} s";
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            Grpc.GrpcErrors.WriteRateLimited(context, message, retryAfter);
        }
        else if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            await HandleResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, w => Core.Json.HandleJsonWriter.WriteError(w, ResponseCode.ServerTooBusy, null, message));
        }
        else
        {
            await NodeErrorHandling.WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, ResponseCode.ServerTooBusy, message);
        }
    }

    /// <summary>A rate-limit bucket: one per key, or one per client address for callers without a key.</summary>
    private readonly record struct RatePartition(long KeyId, IPAddress? Address);

    /// <summary><c>idres.limits.rejections</c>: requests refused for exceeding a rate, by <c>idres.limit</c>.</summary>
    public sealed class RejectionCounter
    {
        private static readonly KeyValuePair<string, object?> Key = new("idres.limit", "key");
        private static readonly KeyValuePair<string, object?> Address = new("idres.limit", "address");
        private readonly Counter<long> _rejections;

        public RejectionCounter(IMeterFactory meters) =>
            _rejections = meters.Create(MeterName).CreateCounter<long>("idres.limits.rejections", unit: "{request}", description: "Requests refused for exceeding a rate limit.");

        public void Rejected(bool byKey) => _rejections.Add(1, byKey ? Key : Address);
    }
}

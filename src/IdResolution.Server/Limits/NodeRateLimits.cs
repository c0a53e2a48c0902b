using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using IdResolution.Core;
using IdResolution.Server.Auth;
using IdResolution.Server.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Http.Timeouts;
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
        services.AddSingleton(options);
        services.AddSingleton<RejectionCounter>();
        services.AddRequestTimeouts(o => o.AddPolicy(WritePolicy, new RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            WriteTimeoutResponse = context => WriteTimedOutAsync(context, options.RequestTimeout),
        }));
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, RatePartition>(context => Partition(context, options));
            o.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>
    /// The rate limiter, when a limit is set. It costs allocations on every request it sees, even with no limit.
    /// </summary>
    public static IApplicationBuilder UseNodeRateLimits(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<LimitOptions>();
        if (options.PerAddressPerSecond > 0 || options.PerKeyPerSecond > 0)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    /// <summary>
    /// Request timeouts, only on the endpoints that name a timeout policy (writes and administration): the middleware
    /// allocates on every request it sees, and resolves have none.
    /// </summary>
    public static IApplicationBuilder UseNodeRequestTimeouts(this IApplicationBuilder app) =>
        app.UseWhen(context => context.GetEndpoint()?.Metadata is { } metadata
            && (metadata.GetMetadata<RequestTimeoutAttribute>() is not null || metadata.GetMetadata<RequestTimeoutPolicy>() is not null),
            branch => branch.UseRequestTimeouts());

    /// <summary>The request timeout policy of writes and administration (resolves are bounded by their layers' own timeouts).</summary>
    public const string WritePolicy = "writes";

    private static RateLimitPartition<RatePartition> Partition(HttpContext context, LimitOptions options)
    {
        // Anonymous requests (most of them) never look at claims; the address is compared by value, no string is built.
        // The feature, not context.User, which would make an empty principal for each of them.
        var user = context.Features.Get<IHttpAuthenticationFeature>()?.User;
        var caller = user?.Identity?.IsAuthenticated == true ? Caller.From(user) : null;
        var (key, perSecond) = caller is not null
            ? (new RatePartition(caller.RateKeyId, null), options.PerKeyPerSecond)
            : (new RatePartition(0, context.Connection.RemoteIpAddress ?? IPAddress.None), options.PerAddressPerSecond);
        return perSecond <= 0 ? RateLimitPartition.GetNoLimiter(key) : TokenBucket(key, perSecond, options.BurstSeconds);
    }

    // Apart from Partition, so that its captured values are allocated when a bucket is made, not on every request.
    private static RateLimitPartition<RatePartition> TokenBucket(RatePartition key, int perSecond, int burstSeconds) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond * Math.Max(1, burstSeconds),
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

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
        else
        {
            // Code 3 (server too busy), which Handle clients retry.
            await NodeErrorHandling.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, ResponseCode.ServerTooBusy, message);
        }
    }

    private static Task WriteTimedOutAsync(HttpContext context, TimeSpan timeout)
    {
        // The request's token is the one that just fired; the short answer is written without it. The middleware
        // cleared the response, headers included.
        context.RequestAborted = CancellationToken.None;
        SecurityHeaders.Apply(context);
        return NodeErrorHandling.WriteErrorAsync(context, StatusCodes.Status504GatewayTimeout, ResponseCode.ServerTooBusy,
            $"the request did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; retry later");
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

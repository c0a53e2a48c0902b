using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;

namespace IdResolution.Caching;

public static class CachingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the resolution cache: L1 always; L2 and the invalidation backplane on Redis when
    /// <c>ConnectionStrings:Redis</c> is set.
    /// </summary>
    public static IServiceCollection AddResolutionCache(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(CacheOptions.Section);
        services.Configure<CacheOptions>(section);
        var options = section.Get<CacheOptions>() ?? new CacheOptions();
        services.AddMetrics();
        var memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.MemoryBudgetBytes, CompactionPercentage = 0.1 });
        var entries = new InProcessEntries(options.MemoryBudgetBytes, TimeProvider.System);
        services.AddSingleton(entries);
        services.AddSingleton(sp => new CacheMetrics(sp.GetRequiredService<IMeterFactory>(), () => memory.Count + entries.Count));
        services.AddSingleton<ResolutionCache>();
        var redis = configuration.GetConnectionString("Redis");
        var connection = string.IsNullOrWhiteSpace(redis) ? null : new RedisConnection(redis);
        AddCredentialCache(services, connection, options.KeyPrefix);

        var fusion = services.AddFusionCache()
            .WithOptions(o =>
            {
                o.EnableAutoRecovery = true;
                // Event handlers run before the operation that raised them goes on: a backplane invalidation is seen
                // (StandbyReads marks the key) before the key leaves memory.
                o.EnableSyncEventHandlersExecution = true;
                o.ReThrowOriginalExceptions = true;
                o.DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(2);
                o.BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2);
            })
            .WithDefaultEntryOptions(new FusionCacheEntryOptions
            {
                Duration = options.MaxDuration,
                IsFailSafeEnabled = true,
                FailSafeMaxDuration = options.MaxDuration + options.ServeStaleFor,
                FailSafeThrottleDuration = TimeSpan.FromSeconds(2),
                FactorySoftTimeout = TimeSpan.FromSeconds(1),
                // Callers waiting on another caller's read of the same key stop waiting on the lock after this
                // and join that read (ResolutionCache shares it) instead of queueing behind it.
                LockTimeout = TimeSpan.FromMilliseconds(50),
                // RedisStringCache bounds every awaited call by Cache:RedisTimeout, as a failure that opens the breaker.
                DistributedCacheSoftTimeout = Timeout.InfiniteTimeSpan,
                DistributedCacheHardTimeout = Timeout.InfiniteTimeSpan,
                // A write is acknowledged only after Redis and the other nodes have been told.
                AllowBackgroundDistributedCacheOperations = false,
                AllowBackgroundBackplaneOperations = false,
                // An entry in Redis that cannot be read (damaged, or from an unknown build) is a miss, loaded again.
                ReThrowSerializationExceptions = false,
                // Other nodes learn only of invalidations (ResolutionCache.InvalidateAsync), not of every entry
                // a node loads: a loaded entry is what they would load too, and the notices cost Redis traffic.
                SkipBackplaneNotifications = true,
                SkipMemoryCacheRead = !options.Memory,
                // Found answers are held by ResolutionCache in InProcessEntries; it lets FusionCache keep negative ones.
                SkipMemoryCacheWrite = true,
            })
            .WithMemoryCache(memory)
            .WithMemoryLocker(new StripedMemoryLocker())
            // Its news is logged from its events instead (CacheEventLog says why).
            .WithoutLogger();

        if (connection is not null)
        {
            services.AddSingleton(connection);
            services.AddHostedService(_ => new RedisConnection.Opening(connection));
            var l2 = new RedisStringCache(connection, options.KeyPrefix, options.RedisTimeout);
            services.AddSingleton(l2);
            fusion
                .WithSerializer(new ResolutionEntrySerializer())
                .WithDistributedCache(sp => new TimedDistributedCache(l2, sp.GetRequiredService<CacheMetrics>(), sp.GetRequiredService<ILogger<TimedDistributedCache>>(), options.RedisTimeout))
                .WithBackplane(new RedisBackplane(new RedisBackplaneOptions
                {
                    ConnectionMultiplexerFactory = connection.GetAsync,
                }))
                .WithOptions(o => o.BackplaneChannelPrefix = options.KeyPrefix + "backplane");
        }

        return services;
    }

    private static void AddCredentialCache(IServiceCollection services, RedisConnection? connection, string keyPrefix)
    {
        services.AddSingleton<CredentialCache>();
        var credentials = services.AddFusionCache(CredentialCache.Name)
            .WithOptions(o =>
            {
                o.EnableAutoRecovery = true;
                o.BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2);
            })
            .WithDefaultEntryOptions(new FusionCacheEntryOptions
            {
                Duration = CredentialCache.MaxLifetime,
                Size = 1,
                AllowBackgroundBackplaneOperations = false,
                // Only evictions travel to other nodes; each node loads what it needs itself.
                SkipBackplaneNotifications = true,
            })
            // Bounded: random keys sent by strangers cannot grow it without limit.
            .WithMemoryCache(new MemoryCache(new MemoryCacheOptions { SizeLimit = 100_000 }));
        if (connection is not null)
        {
            credentials
                .WithBackplane(new RedisBackplane(new RedisBackplaneOptions { ConnectionMultiplexerFactory = connection.GetAsync }))
                .WithOptions(o => o.BackplaneChannelPrefix = keyPrefix + CredentialCache.Name);
        }
    }
}

/// <summary>
/// The node's Redis connections. They never block start-up or a request on an absent Redis: commands fail fast
/// while it is down, and they reconnect by themselves.
/// </summary>
public sealed class RedisConnection(string configuration) : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(() => ConnectAsync(configuration, SocketManager.Shared));
    private readonly Lazy<Task<IConnectionMultiplexer>> _awaitedCalls = new(() => ConnectAsync(configuration, SocketManager.ThreadPool));

    /// <summary>For the backplane, health checks and any synchronous call: its replies are read on threads of its own.</summary>
    public Task<IConnectionMultiplexer> GetAsync() => _connection.Value;

    /// <summary>
    /// For L2 calls that are awaited: its replies are read on the thread pool, one hand-off between threads less per
    /// read. Never for a call a thread blocks on: on a busy pool, the reply could wait for the very thread that waits
    /// for it (FusionCache makes synchronous L2 calls from its synchronous paths, such as a tag's expiry check).
    /// </summary>
    public Task<IConnectionMultiplexer> GetForAwaitedCallsAsync() => _awaitedCalls.Value;

    /// <summary>
    /// Starts opening both connections as the node starts, without waiting for them: the first resolves then find them
    /// open instead of waiting for a handshake.
    /// </summary>
    public sealed class Opening(RedisConnection connection) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = connection.All();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Both connections, once each is open (for tracing).</summary>
    public IEnumerable<Task<IConnectionMultiplexer>> All() => [_connection.Value, _awaitedCalls.Value];

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in new[] { _connection, _awaitedCalls })
        {
            if (connection.IsValueCreated)
            {
                await (await connection.Value).DisposeAsync();
            }
        }
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string configuration, SocketManager sockets)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 1000;
        options.SyncTimeout = 1000;
        options.SocketManager = sockets;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}

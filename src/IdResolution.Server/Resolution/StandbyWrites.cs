using IdResolution.Registry;
using ZiggyCreatures.Caching.Fusion;

namespace IdResolution.Server.Resolution;

/// <summary>
/// Tells <see cref="StandbyReads"/> of writes made on other nodes: each write's cache invalidation reaches this node
/// through the Redis backplane, naming the key (or, for a tag removal after a bulk import, FusionCache's own "__fc:" key),
/// and the key is then read from the primary for the read-your-writes window. The handler runs synchronously (the
/// cache is set up so), before the key leaves this node's memory: a resolve in between cannot read the standby's old copy.
/// </summary>
public sealed class StandbyWrites(IFusionCache cache, StandbyReads standby) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cache.Events.Backplane.MessageReceived += OnMessage;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        cache.Events.Backplane.MessageReceived -= OnMessage;
        return Task.CompletedTask;
    }

    private void OnMessage(object? sender, ZiggyCreatures.Caching.Fusion.Events.FusionCacheBackplaneMessageEventArgs e)
    {
        if (e.Message.CacheKey is not { } key)
        {
            return;
        }

        if (key.StartsWith("__fc:", StringComparison.Ordinal))
        {
            standby.WrittenInBulk();
        }
        else
        {
            standby.Written(key);
        }
    }
}

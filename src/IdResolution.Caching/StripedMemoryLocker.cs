using Microsoft.Extensions.Logging;
using ZiggyCreatures.Caching.Fusion.Locking;

namespace IdResolution.Caching;

/// <summary>
/// FusionCache's per-key lock (one loader per key however many callers miss together) taken from a fixed set of
/// semaphores chosen by the key's hash. FusionCache's own locker keeps a semaphore per key in a memory cache for
/// 5 minutes: a lookup and its bookkeeping on every miss, and a sweep over a million names left a million semaphores.
/// Two keys that share a stripe wait for each other at most the entry options' LockTimeout (50 ms), after which the
/// waiter goes on without the lock; ResolutionCache still shares one registry read per key.
/// </summary>
public sealed class StripedMemoryLocker : IFusionCacheMemoryLocker
{
    private const int Stripes = 8192;

    private readonly SemaphoreSlim[] _stripes = new SemaphoreSlim[Stripes];

    public StripedMemoryLocker()
    {
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new SemaphoreSlim(1, 1);
        }
    }

    public async ValueTask<object?> AcquireLockAsync(
        string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var stripe = StripeOf(key);
        return await stripe.WaitAsync(timeout, token).ConfigureAwait(false) ? stripe : null;
    }

    public object? AcquireLock(
        string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var stripe = StripeOf(key);
        return stripe.Wait(timeout, token) ? stripe : null;
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, object? lockObj, ILogger? logger) =>
        (lockObj as SemaphoreSlim)?.Release();

    public void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
    }

    private SemaphoreSlim StripeOf(string key) => _stripes[(uint)key.GetHashCode() % Stripes];
}

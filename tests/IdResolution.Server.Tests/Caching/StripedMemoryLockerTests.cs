using IdResolution.Caching;

namespace IdResolution.Server.Tests.Caching;

/// <summary>The per-key load lock FusionCache takes on a miss, from a fixed set of semaphores.</summary>
public sealed class StripedMemoryLockerTests
{
    private static readonly TimeSpan NoWait = TimeSpan.Zero;

    [Fact]
    public async Task AKeyHeld_IsNotGivenAgain_UntilReleased()
    {
        using var locker = new StripedMemoryLocker();
        var held = await AcquireAsync(locker, "88.1/a", NoWait);
        Assert.NotNull(held);

        Assert.Null(await AcquireAsync(locker, "88.1/a", NoWait));
        Assert.Null(locker.AcquireLock("c", "i", "o", "88.1/a", NoWait, null, CancellationToken.None));

        locker.ReleaseLock("c", "i", "o", "88.1/a", held, null);
        var again = await AcquireAsync(locker, "88.1/a", NoWait);
        Assert.NotNull(again);
        locker.ReleaseLock("c", "i", "o", "88.1/a", again, null);
    }

    [Fact]
    public async Task AWaiter_GetsTheKey_OnceItIsReleased()
    {
        using var locker = new StripedMemoryLocker();
        var held = await AcquireAsync(locker, "88.1/a", NoWait);
        var waiting = AcquireAsync(locker, "88.1/a", TimeSpan.FromSeconds(30));
        Assert.False(waiting.IsCompleted);

        locker.ReleaseLock("c", "i", "o", "88.1/a", held, null);

        Assert.NotNull(await waiting);
    }

    [Fact]
    public async Task OtherKeys_AreNotHeldUp_ByOneHeldKey()
    {
        using var locker = new StripedMemoryLocker();
        var held = await AcquireAsync(locker, "88.1/held", NoWait);

        // Keys share a stripe only by hash: about 1 in 8192 pairs, so nearly all of 1,000 others are free.
        var free = 0;
        for (var i = 0; i < 1000; i++)
        {
            var key = $"88.1/other-{i}";
            if (await AcquireAsync(locker, key, NoWait) is { } other)
            {
                free++;
                locker.ReleaseLock("c", "i", "o", key, other, null);
            }
        }

        Assert.True(free >= 990, $"{free} of 1000 other keys were free");
        locker.ReleaseLock("c", "i", "o", "88.1/held", held, null);
    }

    [Fact]
    public void ReleasingWithoutALock_DoesNothing()
    {
        using var locker = new StripedMemoryLocker();
        locker.ReleaseLock("c", "i", "o", "88.1/a", null, null);

        var held = locker.AcquireLock("c", "i", "o", "88.1/a", NoWait, null, CancellationToken.None);
        Assert.NotNull(held);
        Assert.Null(locker.AcquireLock("c", "i", "o", "88.1/a", NoWait, null, CancellationToken.None));
    }

    private static async Task<object?> AcquireAsync(StripedMemoryLocker locker, string key, TimeSpan timeout) =>
        await locker.AcquireLockAsync("c", "i", "o", key, timeout, null, CancellationToken.None);
}

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes; tests never sleep a fixed time.</summary>
public static class Eventually
{
    public static async Task<TimeSpan> HoldsAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var started = DateTime.UtcNow;
        while (!await condition())
        {
            if (DateTime.UtcNow - started > within)
            {
                throw new TimeoutException($"{what} did not happen within {within}");
            }

            await Task.Delay(20);
        }

        return DateTime.UtcNow - started;
    }
}

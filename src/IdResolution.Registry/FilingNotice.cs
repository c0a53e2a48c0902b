namespace IdResolution.Registry;

/// <summary>Tells the filing delivery that a filing was just written, so that it goes out at once rather than at the next poll.</summary>
public sealed class FilingNotice
{
    private readonly SemaphoreSlim _written = new(0, 1);

    public void Written()
    {
        try
        {
            _written.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up delivers every pending filing.
        }
    }

    /// <summary>Waits for a filing to be written, or for <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _written.WaitAsync(timeout, cancellationToken);
}

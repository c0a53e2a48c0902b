using System.Data.Common;

namespace IdResolution.Registry;

/// <summary>Tells a registry outage (connection refused, timeout, database locked) from a bug.</summary>
public static class RegistryFailure
{
    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }
}

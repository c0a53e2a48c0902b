using Microsoft.Data.Sqlite;
using Npgsql;

namespace IdResolution.Registry;

/// <summary>
/// Tells a registry outage (connection refused or lost, timeout, server shutting down or overloaded, database
/// locked) from an error about the request itself, which must not be reported as "unavailable".
/// </summary>
public static class RegistryFailure
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException
                or NpgsqlException { IsTransient: true }
                or SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }
                or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }
}

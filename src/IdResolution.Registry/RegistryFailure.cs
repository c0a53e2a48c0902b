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

    /// <summary>
    /// A conflict with a concurrent writer that running again resolves: a unique key another transaction inserted
    /// first, a deadlock, a serialisation failure.
    /// </summary>
    public static bool IsConflict(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }
                or SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey })
            {
                return true;
            }
        }

        return false;
    }

    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdResolution.Registry;

/// <summary>Counts the commands this node sends to the registry (what the cache must keep low): EF Core's, seen as an interceptor, and the ones sent directly.</summary>
public sealed class RegistryCommandCounter : DbCommandInterceptor
{
    private long _commands;

    private long _lookups;

    public long Commands => Interlocked.Read(ref _commands);

    /// <summary>
    /// The resolve reads alone (a record by key, or many in one query): what the caches exist to spare, without the
    /// health checks and dashboard counts that run on their own timers.
    /// </summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>Counts a command sent outside EF Core (the resolve read).</summary>
    public void Sent()
    {
        Interlocked.Increment(ref _commands);
        Interlocked.Increment(ref _lookups);
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _commands);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _commands);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _commands);
        return ValueTask.FromResult(result);
    }
}

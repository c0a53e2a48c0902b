using System.Security.Claims;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Registry.Import;
using IdResolution.Server.Auth;
using IdResolution.Server.Statistics;
using IdResolution.Server.Telemetry;

namespace IdResolution.Server.Bulk;

/// <summary>
/// An import as every API runs it (HTTP body, gRPC stream): the caller's rights per prefix, and after each committed
/// batch its statistics, write metrics and the dropping of cached "not registered" answers on every node.
/// </summary>
public sealed class BulkImport(HandleImport import, PrefixAccess access, ResolutionCache cache, PrefixCounters counters, WriteMetrics writes, Registry.StandbyReads standby)
{
    public async Task<ImportResult> RunAsync(ClaimsPrincipal user, Stream body, ImportFormat format, bool allOrNothing, CancellationToken cancellationToken)
    {
        // Rights are PrefixAccess's to decide, per prefix; an anonymous caller is refused before any row is read.
        _ = Caller.From(user) ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "importing needs 'Authorization: Bearer <key>'");

        try
        {
            return await ImportAsync(user, body, format, allOrNothing, cancellationToken);
        }
        finally
        {
            cache.InvalidateNegativesAgainLater();
        }
    }

    private async Task<ImportResult> ImportAsync(ClaimsPrincipal user, Stream body, ImportFormat format, bool allOrNothing, CancellationToken cancellationToken) =>
        await import.ImportAsync(
            ImportReader.ReadAsync(body, format, cancellationToken),
            new ImportOptions(allOrNothing),
            async (name, token) =>
            {
                try
                {
                    // Decided once per prefix, so only prefix-wide rights count (never one handle's own HS_ADMIN).
                    await access.EnsureCanRegisterUnderAsync(user, name, token);
                    return null;
                }
                catch (HandleException refusal)
                {
                    return refusal;
                }
            },
            async (registered, _) =>
            {
                long total = 0;
                foreach (var (prefix, count) in registered)
                {
                    counters.Registered(prefix, count);
                    total += count;
                }

                writes.Created(total);
                // Too many keys to name: everything is read from the primary for a while (a standby may not have them yet).
                standby.WrittenInBulk();
                await cache.InvalidateNegativesAsync(CancellationToken.None);
            },
            cancellationToken);

    /// <summary>The format named by ?format= or the Content-Type's media type, which is case-insensitive (RFC 9110).</summary>
    public static ImportFormat Format(string? format) => format?.ToLowerInvariant() switch
    {
        "csv" or "text/csv" => ImportFormat.Csv,
        "jsonl" or "ndjson" or "application/x-ndjson" or "application/jsonl" or "application/jsonlines" => ImportFormat.JsonLines,
        var other => throw new HandleException(ResponseCode.ProtocolError, $"'{other}' is not an import format: send text/csv or application/x-ndjson (or ?format=csv|jsonl)"),
    };
}

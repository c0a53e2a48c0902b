using System.Text;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Native;
using IdResolution.Core.Values;
using IdResolution.Registry;
using IdResolution.Registry.Model;
using IdResolution.Server.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdResolution.Server.Hierarchy;

/// <summary>
/// The hierarchy's HTTP API. On a top-level node: secondary nodes file and unfile prefixes (kept as <c>0.NA/&lt;prefix&gt;</c>
/// records with an HS_SITE value) and report statistics; operators read the reports. On a secondary node: operators see
/// the filings and whether the top-level node has acknowledged them.
/// </summary>
public static class HierarchyEndpoints
{
    /// <summary>The value type naming the site key that filed a prefix record; readable by operators only.</summary>
    public const string FiledByType = "HS_FILED_BY";

    private const int MaxReportRows = 10_000;

    public static IEndpointRouteBuilder MapHierarchyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/hierarchy");
        api.WithTags("Hierarchy").WithRequestTimeout(Limits.NodeRateLimits.WritePolicy);
        api.MapPut("/prefixes/{prefix}", FileAsync).RequireAuthorization(NodePolicies.Site)
            .WithSummary("Top-level node: files a prefix served by the calling site, body {address, port} of its native protocol (TCP and UDP). 201 when new, 200 when updated; 403 when another site filed it.");
        api.MapDelete("/prefixes/{prefix}", UnfileAsync).RequireAuthorization(NodePolicies.Site)
            .WithSummary("Top-level node: unfiles a prefix the calling site filed. 204, also when it was not filed.");
        api.MapPost("/reports", ReportAsync).RequireAuthorization(NodePolicies.Site)
            .WithSummary("Top-level node: a site's statistics, {statistics: [{prefix, day (yyyy-MM-dd), resolutions, registrations, updates, deletions}]}; whole-day figures replace earlier ones.");
        api.MapGet("/reports", ReportsAsync).RequireAuthorization(NodePolicies.Operator)
            .WithSummary("Top-level node: the statistics reported by sites; from= and to= (yyyy-MM-dd, default: the last 7 days), site= (optional).");
        api.MapGet("/filings", FilingsAsync).RequireAuthorization(NodePolicies.Operator)
            .WithSummary("Secondary node: filings with the top-level node, newest first (at most 1000); pending=true shows only those not yet acknowledged.");
        return app;
    }

    private static async Task<IResult> FileAsync(
        string prefix, SiteAddress site, HttpContext context, HandleRegistry registry, PrefixRegistry prefixes, IOptions<HierarchyOptions> options, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User)!;
        var record = await FiledRecordAsync(prefix, caller, options, prefixes, cancellationToken);
        var address = SiteAddressRules.Check(site, options.Value.AllowLoopbackSites);
        HandleValue[] values =
        [
            new(1, "HS_SITE", SiteInfoRecord.OneServer(1, address, site.Port, []).Encode()) { Ttl = options.Value.SiteTtlSeconds },
            new(2, FiledByType, Encoding.UTF8.GetBytes(caller.Name)) { Permissions = ValuePermissions.AdminRead | ValuePermissions.AdminWrite },
        ];
        var answer = new { responseCode = (int)ResponseCode.Success, handle = record.Display, site = new { address = address.ToString(), port = site.Port } };
        var existing = await registry.FindAsync(record, cancellationToken);
        if (existing is null)
        {
            try
            {
                await registry.CreateAsync(record, values, cancellationToken);
                return Results.Created($"/api/handles/{record.Display}", answer);
            }
            catch (HandleException e) when (e.Code == ResponseCode.HandleAlreadyExists)
            {
                // Filed by someone else meanwhile: whose it is decides below.
                existing = await registry.FindAsync(record, cancellationToken);
            }
        }

        EnsureFiledBy(existing, caller, record);
        await registry.ReplaceAsync(record, values, cancellationToken);
        return Results.Ok(answer);
    }

    private static async Task<IResult> UnfileAsync(
        string prefix, HttpContext context, HandleRegistry registry, PrefixRegistry prefixes, IOptions<HierarchyOptions> options, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User)!;
        var record = await FiledRecordAsync(prefix, caller, options, prefixes, cancellationToken);
        var existing = await registry.FindAsync(record, cancellationToken);
        EnsureFiledBy(existing, caller, record);
        if (existing is not null)
        {
            await registry.DeleteAsync(record, cancellationToken);
        }

        return Results.NoContent();
    }

    private static async Task<IResult> ReportAsync(StatisticsUpload upload, HttpContext context, RegistryContext db, TimeProvider clock, IOptions<HierarchyOptions> options, CancellationToken cancellationToken)
    {
        EnsureTopLevel(options);
        if (upload.Statistics is not { Count: > 0 and <= MaxReportRows } rows)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"statistics must hold 1 to {MaxReportRows} rows");
        }

        var caller = Caller.From(context.User)!;
        var site = caller.Name;
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var figures = new Dictionary<(string, int), DayFigures>();
        var skipped = 0;
        foreach (var row in rows)
        {
            // Rows this site may not report (another site's prefixes, other schemes, odd days or figures) are skipped, not fatal.
            if (row is null || !PrefixName.TryParse(row.Prefix, out var prefix, out _) || (!caller.IsOperator && !InScope(caller, prefix))
                || !Statistics.StatisticsReport.TryParseDay(row.Day, out var day) || day > today || day < today.AddDays(-366)
                || row.Resolutions < 0 || row.Registrations < 0 || row.Updates < 0 || row.Deletions < 0)
            {
                skipped++;
                continue;
            }

            figures[(prefix.Key, Statistics.StatisticsReport.DayNumber(day))] = row;
        }

        var days = figures.Keys.Select(k => k.Item2).Distinct().ToList();
        var stored = await db.SiteReports.Where(r => r.Site == site && days.Contains(r.Day)).ToDictionaryAsync(r => (r.Prefix, r.Day), cancellationToken);
        foreach (var ((prefix, day), row) in figures)
        {
            if (!stored.TryGetValue((prefix, day), out var report))
            {
                report = new SiteReport { Site = site, Prefix = prefix, Day = day };
                db.SiteReports.Add(report);
            }

            (report.Resolutions, report.Registrations, report.Updates, report.Deletions, report.ReceivedAt) = (row.Resolutions, row.Registrations, row.Updates, row.Deletions, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return Results.Ok(new { responseCode = (int)ResponseCode.Success, rows = figures.Count, skipped });
    }

    private static async Task<IResult> ReportsAsync(RegistryContext db, TimeProvider clock, IOptions<HierarchyOptions> options, string? from, string? to, string? site, CancellationToken cancellationToken)
    {
        EnsureTopLevel(options);
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var fromDay = Statistics.StatisticsReport.DayNumber(from is null ? today.AddDays(-6) : Day(from));
        var toDay = Statistics.StatisticsReport.DayNumber(to is null ? today : Day(to));
        var rows = await db.SiteReports.AsNoTracking()
            .Where(r => r.Day >= fromDay && r.Day <= toDay && (site == null || r.Site == site))
            .OrderBy(r => r.Day).ThenBy(r => r.Site).ThenBy(r => r.Prefix).Take(MaxReportRows).ToListAsync(cancellationToken);
        return Results.Ok(new
        {
            responseCode = (int)ResponseCode.Success,
            reports = rows.Select(r => new
            {
                site = r.Site,
                prefix = r.Prefix,
                day = Statistics.StatisticsReport.FormatDay(r.Day),
                r.Resolutions,
                r.Registrations,
                r.Updates,
                r.Deletions,
                receivedAt = DateTimeOffset.FromUnixTimeSeconds(r.ReceivedAt),
            }),
        });
    }

    private static async Task<IResult> FilingsAsync(RegistryContext db, bool? pending, CancellationToken cancellationToken)
    {
        var rows = await db.Filings.AsNoTracking().Where(f => pending != true || f.DeliveredAt == null).OrderByDescending(f => f.Id).Take(1000).ToListAsync(cancellationToken);
        return Results.Ok(new
        {
            responseCode = (int)ResponseCode.Success,
            filings = rows.Select(f => new
            {
                f.Id,
                f.Prefix,
                f.Action,
                createdAt = DateTimeOffset.FromUnixTimeSeconds(f.CreatedAt),
                f.Attempts,
                nextAttemptAt = f.DeliveredAt is null ? DateTimeOffset.FromUnixTimeSeconds(f.NextAttemptAt) : (DateTimeOffset?)null,
                f.LastError,
                deliveredAt = f.DeliveredAt is { } at ? DateTimeOffset.FromUnixTimeSeconds(at) : (DateTimeOffset?)null,
            }),
        });
    }

    /// <summary>
    /// The record <c>0.NA/&lt;prefix&gt;</c> a filing writes: only on a top-level node, only for prefixes it does not serve
    /// itself, and only inside the prefix tree the site key is for.
    /// </summary>
    private static async Task<HandleName> FiledRecordAsync(string prefix, Caller caller, IOptions<HierarchyOptions> options, PrefixRegistry prefixes, CancellationToken cancellationToken)
    {
        EnsureTopLevel(options);
        var name = PrefixName.Parse(prefix);
        if (name.Scheme != Core.Schemes.IdentifierScheme.Handle || name.Key == PrefixName.RecordPrefix)
        {
            throw new HandleException(ResponseCode.InvalidHandle, $"{prefix} is not a handle prefix that can be filed");
        }

        if (!caller.IsOperator && !InScope(caller, name))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, $"this site key files prefixes under {SiteScope(caller)?.Display ?? "no prefix"} only, not {name.Display}");
        }

        if (await prefixes.IsServedAsync(name, cancellationToken))
        {
            throw new HandleException(ResponseCode.HandleAlreadyExists, $"prefix {name.Display} is served by the top-level node itself");
        }

        return name.RecordName;
    }

    /// <summary>A prefix record changes only at the hands of the site that filed it, or an operator.</summary>
    private static void EnsureFiledBy(HandleRecord? existing, Caller caller, HandleName record)
    {
        if (existing is null || caller.IsOperator)
        {
            return;
        }

        foreach (var value in existing.Values)
        {
            if (value.Type == FiledByType && Encoding.UTF8.GetString(value.Data) == caller.Name)
            {
                return;
            }
        }

        throw new HandleException(ResponseCode.InsufficientPermissions, $"{record.Display} was filed by another site");
    }

    /// <summary>The prefix tree a site key may file: the one its identity <c>index:0.NA/&lt;prefix&gt;</c> administers.</summary>
    private static PrefixName? SiteScope(Caller caller) =>
        caller.Identity is { } identity && Core.Accounts.AdminIdentity.TryParse(identity, out var admin, out _) && admin.Handle.IsPrefixRecord(out var scope) ? scope : null;

    private static bool InScope(Caller caller, PrefixName prefix) => SiteScope(caller) is { } scope && prefix.IsAtOrUnder(scope);

    private static void EnsureTopLevel(IOptions<HierarchyOptions> options)
    {
        if (options.Value.Role != NodeRole.TopLevel)
        {
            throw new HandleException(ResponseCode.OperationNotSupported, "this node is not a top-level node (Hierarchy:Role)");
        }
    }

    private static DateOnly Day(string text) =>
        Statistics.StatisticsReport.TryParseDay(text, out var day) ? day : throw new HandleException(ResponseCode.ProtocolError, $"day {text} is not yyyy-MM-dd");
}

using System.Globalization;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Registry;

namespace IdResolution.Server.Statistics;

/// <summary>The statistics query shared by the HTTP and gRPC APIs: stored figures plus this node's pending counts for today.</summary>
public sealed class StatisticsReport(StatisticsStore store, PrefixCounters counters, StatisticsFlusher flusher, TimeProvider clock)
{
    private const int MaxDays = 366;

    public async Task<List<StatisticsDelta>> QueryAsync(string? prefix, string? from, string? to, CancellationToken cancellationToken)
    {
        var today = StatisticsFlusher.Today(clock);
        var fromDay = Day(from, today);
        var toDay = Day(to, today);
        if (toDay < fromDay || Date(toDay).DayNumber - Date(fromDay).DayNumber >= MaxDays)
        {
            throw new HandleException(ResponseCode.ProtocolError, $"from must not be after to, and the range is at most {MaxDays} days");
        }

        var prefixKey = string.IsNullOrEmpty(prefix) ? null : PrefixName.Parse(prefix).Key;
        return await flusher.ReadConsistentlyAsync(() => ReadAsync(prefixKey, fromDay, toDay, today, cancellationToken), cancellationToken);
    }

    private async Task<List<StatisticsDelta>> ReadAsync(string? prefixKey, int fromDay, int toDay, int today, CancellationToken cancellationToken)
    {
        var rows = (await store.QueryAsync(prefixKey, fromDay, toDay, cancellationToken))
            .ToDictionary(r => (r.Prefix, r.Day), r => new StatisticsDelta(r.Prefix, r.Day, r.Resolutions, r.Registrations, r.Updates, r.Deletions));
        // Pending counts may belong to yesterday too, for the moments after midnight before the next flush.
        var yesterday = Date(today).AddDays(-1);
        foreach (var day in new[] { DayNumber(yesterday), today })
        {
            if (day < fromDay || day > toDay)
            {
                continue;
            }

            foreach (var p in counters.Pending(day))
            {
                if (prefixKey is null || p.Prefix == prefixKey)
                {
                    rows[(p.Prefix, day)] = rows.TryGetValue((p.Prefix, day), out var r)
                        ? r with { Resolutions = r.Resolutions + p.Resolutions, Registrations = r.Registrations + p.Registrations, Updates = r.Updates + p.Updates, Deletions = r.Deletions + p.Deletions }
                        : p;
                }
            }
        }

        return rows.Values.OrderBy(r => r.Day).ThenBy(r => r.Prefix, StringComparer.Ordinal).ToList();
    }

    public static string FormatDay(int day) => Date(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly Date(int day) => new(day / 10000, day / 100 % 100, day % 100);

    /// <summary>A day as stored: yyyymmdd.</summary>
    public static int DayNumber(DateOnly day) => (day.Year * 10000) + (day.Month * 100) + day.Day;

    /// <summary>A day as the APIs write it: yyyy-MM-dd.</summary>
    public static bool TryParseDay(string? text, out DateOnly day) => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    private static int Day(string? text, int today) =>
        string.IsNullOrEmpty(text) ? today
        : TryParseDay(text, out var day)
            ? DayNumber(day)
            : throw new HandleException(ResponseCode.ProtocolError, $"'{text}' is not a yyyy-MM-dd date");
}

using System.Globalization;
using System.Text;
using IdResolution.Core;
using IdResolution.Core.Traceability;
using IdResolution.Registry.Traceability;

namespace IdResolution.Server.Traceability;

/// <summary>The EPCIS 2.0 REST query parameters (pipe-separated lists) read into an <see cref="EventFilter"/>.</summary>
public static class EpcisQuery
{
    public const int DefaultPerPage = 100;
    public const int MaxPerPage = 1000;

    private static readonly (string Parameter, ObjectRole[] Roles)[] ObjectParameters =
    [
        ("MATCH_epc", [ObjectRole.Subject, ObjectRole.Child]),
        ("MATCH_parentID", [ObjectRole.Parent]),
        ("MATCH_inputEPC", [ObjectRole.Input]),
        ("MATCH_outputEPC", [ObjectRole.Output]),
        ("MATCH_anyEPC", [ObjectRole.Subject, ObjectRole.Parent, ObjectRole.Child, ObjectRole.Input, ObjectRole.Output]),
        ("MATCH_epcClass", [ObjectRole.QuantitySubject, ObjectRole.QuantityChild]),
        ("MATCH_inputEPCClass", [ObjectRole.QuantityInput]),
        ("MATCH_outputEPCClass", [ObjectRole.QuantityOutput]),
        ("MATCH_anyEPCClass", [ObjectRole.QuantitySubject, ObjectRole.QuantityChild, ObjectRole.QuantityInput, ObjectRole.QuantityOutput]),
    ];

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "eventType", "GE_eventTime", "LT_eventTime", "EQ_bizStep", "EQ_disposition", "EQ_bizLocation", "perPage", "nextPageToken",
        "MATCH_epc", "MATCH_parentID", "MATCH_inputEPC", "MATCH_outputEPC", "MATCH_anyEPC",
        "MATCH_epcClass", "MATCH_inputEPCClass", "MATCH_outputEPCClass", "MATCH_anyEPCClass",
    };

    public static EventFilter Read(IQueryCollection query, ObjectMatch? extra = null)
    {
        foreach (var key in query.Keys)
        {
            if (!Known.Contains(key))
            {
                throw Invalid($"query parameter {key} is not supported (supported: {string.Join(", ", Known)})");
            }
        }

        var matches = new List<ObjectMatch>();
        foreach (var (parameter, roles) in ObjectParameters)
        {
            if (List(query, parameter) is { } names)
            {
                matches.Add(new ObjectMatch(names.ConvertAll(n => Name(n, parameter)), roles));
            }
        }

        if (extra is not null)
        {
            matches.Add(extra);
        }

        return new EventFilter
        {
            Types = List(query, "eventType") is { } types ? types.ConvertAll(t => Enum.GetNames<EventType>().Contains(t) ? t : throw Invalid($"eventType {t} is not an EPCIS event type")) : null,
            FromTime = Time(query, "GE_eventTime"),
            ToTime = Time(query, "LT_eventTime"),
            BizSteps = List(query, "EQ_bizStep")?.ConvertAll(s => Cbv.BizStep(s, out var e) ?? throw Invalid("EQ_bizStep: " + e)),
            Dispositions = List(query, "EQ_disposition")?.ConvertAll(s => Cbv.Disposition(s, out var e) ?? throw Invalid("EQ_disposition: " + e)),
            BizLocations = List(query, "EQ_bizLocation")?.ConvertAll(l => Name(l, "EQ_bizLocation")),
            Matches = matches,
            PerPage = PerPage(query),
            After = Token(query["nextPageToken"]),
        };
    }

    public static string NextToken(long time, long id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{time}:{id}"))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Name(string text, string parameter) =>
        ObjectNames.TryNormalise(text, out var name, out var error) ? name : throw Invalid($"{parameter}: {error}");

    private static List<string>? List(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? values.SelectMany(v => (v ?? "").Split('|')).Where(v => v.Length > 0).ToList() is { Count: > 0 } list ? list : throw Invalid($"{name} is empty") : null;

    private static long? Time(IQueryCollection query, string name) =>
        !query.TryGetValue(name, out var value) ? null
            : Rfc3339.TryParse(value, out var time) ? time.ToUnixTimeMilliseconds()
            : throw Invalid($"{name} '{value}' is not an RFC 3339 time with its offset (2026-03-17T08:00:00+08:00)");

    private static int PerPage(IQueryCollection query) =>
        !query.TryGetValue("perPage", out var value) ? DefaultPerPage
            : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxPerPage ? n
            : throw Invalid($"perPage must be between 1 and {MaxPerPage}");

    private static (long, long)? Token(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4)));
            var parts = text.Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var time) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var id))
            {
                return (time, id);
            }
        }
        catch (FormatException)
        {
            // answered below
        }

        throw Invalid("nextPageToken is not a token this node issued");
    }

    private static HandleException Invalid(string message) => new(ResponseCode.ProtocolError, message);
}

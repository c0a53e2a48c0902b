using System.Text;
using IdResolution.Core.Handles;

namespace IdResolution.Core.Values;

/// <summary>
/// HS_ALIAS (RFC 3651): a record whose HS_ALIAS value names another is another name for that object, and resolves to
/// it. An alias record names one target and otherwise holds only its administration values (HS_ADMIN, HS_VLIST).
/// </summary>
public static class AliasRules
{
    /// <summary>The name the values make an alias of, or null for an ordinary record; a malformed alias is refused.</summary>
    public static HandleName? Target(IReadOnlyList<HandleValue>? values)
    {
        HandleValue? alias = null;
        if (values is null)
        {
            return null;
        }

        foreach (var value in values)
        {
            if (value.Type == WellKnownTypes.Alias)
            {
                alias = alias is null ? value : throw Invalid("a record holds at most one HS_ALIAS value");
            }
        }

        if (alias is null)
        {
            return null;
        }

        if (!alias.IsPublic)
        {
            throw Invalid("an HS_ALIAS value is public (publicRead): resolving the alias follows it for everyone");
        }

        foreach (var value in values)
        {
            if (value.Type is not (WellKnownTypes.Alias or WellKnownTypes.Admin or WellKnownTypes.ValueList))
            {
                throw Invalid($"an alias record holds only HS_ALIAS, HS_ADMIN and HS_VLIST values; index {value.Index} is {value.Type}");
            }
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(alias.Data);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("the HS_ALIAS value is not UTF-8 text");
        }

        return HandleName.TryParse(text, out var target, out var error)
            ? target
            : throw Invalid($"the HS_ALIAS value names no identifier: {error}");
    }

    /// <summary>Every name the values' HS_ALIAS values point at (a write is checked against each, whatever the registry keeps).</summary>
    public static List<HandleName> AllTargets(IReadOnlyList<HandleValue> values)
    {
        var targets = new List<HandleName>();
        foreach (var value in values)
        {
            if (value.Type == WellKnownTypes.Alias && HandleName.TryParse(Encoding.UTF8.GetString(value.Data), out var target, out _))
            {
                targets.Add(target);
            }
        }

        return targets;
    }

    /// <summary>The target of a record as stored (already validated), without throwing.</summary>
    public static string? StoredTargetKey(IReadOnlyList<HandleValue> values)
    {
        foreach (var value in values)
        {
            if (value.Type == WellKnownTypes.Alias)
            {
                return HandleName.TryParse(Encoding.UTF8.GetString(value.Data), out var target, out _) ? target.Key : null;
            }
        }

        return null;
    }

    private static HandleException Invalid(string message) => new(ResponseCode.InvalidValue, message);
}

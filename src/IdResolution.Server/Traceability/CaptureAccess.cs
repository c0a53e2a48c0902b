using System.Security.Claims;
using IdResolution.Core;
using IdResolution.Core.Handles;
using IdResolution.Core.Traceability;
using IdResolution.Registry;
using IdResolution.Registry.Traceability;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Traceability;

/// <summary>
/// Who may capture what. Any key that writes records what its enterprise saw, about anyone's objects (partners
/// track shared goods); but recalling — disposition <c>recalled</c>, or setting or unsetting a persistent
/// disposition — is for operators and the enterprise owning each handle named (URIs: operators only).
/// </summary>
public static class CaptureAccess
{
    public static async Task EnsureAsync(ClaimsPrincipal user, IReadOnlyList<EpcisEvent> events, PrefixAccess access, ObjectAliases aliases, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user) ?? throw new HandleException(ResponseCode.AuthenticationNeeded, "capturing needs 'Authorization: Bearer <key>'");
        if (!AccessRoles.Writes(caller.Role))
        {
            throw new HandleException(ResponseCode.InsufficientPermissions, $"a {caller.Role} key cannot capture events");
        }

        if (caller.IsOperator)
        {
            return;
        }

        // The objects affected are the records aliases stand for: permission is checked on them, not on the name sent.
        var canonical = await aliases.CanonicalAsync(events.ToList(), cancellationToken);
        var checkedPrefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in canonical)
        {
            if (e.Disposition != "recalled" && e.PersistentSet.Count + e.PersistentUnset.Count == 0)
            {
                continue;
            }

            foreach (var o in e.Objects)
            {
                if (o.Name.Contains("://", StringComparison.Ordinal) || o.Name.StartsWith("urn:", StringComparison.OrdinalIgnoreCase)
                    || !HandleName.TryParse(o.Name, out var handle, out _))
                {
                    throw new HandleException(ResponseCode.InsufficientPermissions, $"event {e.EventId} recalls or sets a persistent disposition on {o.Name}; only operators do that for URIs");
                }

                if (checkedPrefixes.Add(handle.Scheme == Core.Schemes.IdentifierScheme.Handle ? handle.HomePrefix.Key : handle.Key))
                {
                    await access.EnsureCanListAsync(user, handle, cancellationToken);
                }
            }
        }
    }
}

using IdResolution.Caching;
using IdResolution.Core.Handles;
using IdResolution.Server.Auth;

namespace IdResolution.Server.Resolution;

/// <summary>
/// Who reads values without publicRead (see <see cref="Core.Values.ValueVisibility"/>): operators, the keys of the
/// enterprise owning the handle's prefix, and identities the record's HS_ADMIN values give read value. Anonymous
/// callers and all-public records take the fast path.
/// </summary>
public static class ReadAccess
{
    /// <summary>True when the public form of the record is the whole answer for this caller: decided without I/O.</summary>
    public static bool PublicSuffices(HttpContext context, CachedResolution entry) =>
        entry.AllPublic || context.User.Identity?.IsAuthenticated != true;

    public static ValueTask<bool> SeesRestrictedAsync(HttpContext context, CachedResolution entry, CancellationToken cancellationToken) =>
        PublicSuffices(context, entry)
            ? ValueTask.FromResult(false)
            : context.RequestServices.GetRequiredService<PrefixAccess>().SeesRestrictedAsync(context.User, HandleName.Parse(entry.Handle), entry.Record!.Values, cancellationToken);
}

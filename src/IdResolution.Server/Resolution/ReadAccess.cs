using System.Security.Claims;
using IdResolution.Registry;

namespace IdResolution.Server.Resolution;

/// <summary>Who may read values without publicRead (see <see cref="Core.Values.ValueVisibility"/>). For now: the node operator.</summary>
public static class ReadAccess
{
    public static bool SeesRestricted(ClaimsPrincipal user) => user.IsInRole(AccessKeyStore.OperatorRole);
}

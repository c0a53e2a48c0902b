using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using IdResolution.Core.Handles;

namespace IdResolution.Core.Accounts;

/// <summary>
/// A Handle admin identity, <c>index:handle</c> (e.g. <c>300:88.118.8.1001/admin</c>): the value of a handle that
/// holds an administrator's key. HS_ADMIN values name identities; Handle clients log in as one (HTTP Basic).
/// </summary>
public readonly record struct AdminIdentity(int Index, HandleName Handle)
{
    /// <summary>The normalised form stored and compared: the index and the handle's key.</summary>
    public string Key => Index.ToString(CultureInfo.InvariantCulture) + ":" + Handle.Key;

    public override string ToString() => Index.ToString(CultureInfo.InvariantCulture) + ":" + Handle.Display;

    public static AdminIdentity Parse(string text) =>
        TryParse(text, out var identity, out var error) ? identity : throw new HandleException(ResponseCode.InvalidHandle, error);

    public static bool TryParse(string? text, out AdminIdentity identity, [NotNullWhen(false)] out string? error)
    {
        identity = default;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0 || !int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index <= 0)
        {
            error = "an admin identity is 'index:handle' with a positive index, e.g. 300:88.118.8.1001/admin";
            return false;
        }

        if (!HandleName.TryParse(text![(colon + 1)..], out var handle, out var handleError))
        {
            error = "admin identity: " + handleError;
            return false;
        }

        identity = new AdminIdentity(index, handle);
        error = null;
        return true;
    }

    /// <summary>Whether an HS_ADMIN value (or HS_VLIST entry) naming <paramref name="handle"/> at <paramref name="index"/> names this identity; index 0 names any index of the handle.</summary>
    public bool IsNamedBy(string handle, int index) =>
        (index == 0 || index == Index) && HandleName.TryParse(handle, out var named, out _) && named.Key == Handle.Key;
}

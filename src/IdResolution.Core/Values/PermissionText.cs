namespace IdResolution.Core.Values;

/// <summary>Value permissions as four '0'/'1' characters: adminRead, adminWrite, publicRead, publicWrite.</summary>
public static class PermissionText
{
    private static readonly ValuePermissions[] Order =
        [ValuePermissions.AdminRead, ValuePermissions.AdminWrite, ValuePermissions.PublicRead, ValuePermissions.PublicWrite];

    public static string Format(ValuePermissions permissions) =>
        string.Create(4, permissions, static (chars, p) =>
        {
            for (var i = 0; i < Order.Length; i++)
            {
                chars[i] = (p & Order[i]) != 0 ? '1' : '0';
            }
        });

    public static bool TryParse(string text, out ValuePermissions permissions)
    {
        permissions = ValuePermissions.None;
        if (text.Length != Order.Length)
        {
            return false;
        }

        for (var i = 0; i < Order.Length; i++)
        {
            if (text[i] == '1')
            {
                permissions |= Order[i];
            }
            else if (text[i] != '0')
            {
                return false;
            }
        }

        return true;
    }
}

using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Values;

public class AdminValueTests
{
    [Fact]
    public void PermissionString_PutsListHandlesFirst_AddHandleLast()
    {
        var admin = new AdminValue("0.NA/88.1", 200, AdminPermissions.AddHandle | AdminPermissions.ListHandles);

        Assert.Equal("100000000001", admin.PermissionString());
    }

    [Fact]
    public void TryParsePermissions_ReadsTheReferenceDefault()
    {
        Assert.True(AdminValue.TryParsePermissions("011111110011", out var permissions));

        Assert.True(permissions.HasFlag(AdminPermissions.AddHandle));
        Assert.True(permissions.HasFlag(AdminPermissions.DeleteHandle));
        Assert.False(permissions.HasFlag(AdminPermissions.AddDerivedPrefix));
        Assert.False(permissions.HasFlag(AdminPermissions.DeleteDerivedPrefix));
        Assert.True(permissions.HasFlag(AdminPermissions.ReadValue));
        Assert.False(permissions.HasFlag(AdminPermissions.ListHandles));
    }

    [Theory]
    [InlineData("01111111001")]
    [InlineData("0111111100112")]
    [InlineData("01111111001x")]
    public void TryParsePermissions_RejectsMalformed(string text)
    {
        Assert.False(AdminValue.TryParsePermissions(text, out _));
    }

    [Fact]
    public void EncodeDecode_RoundTrips()
    {
        var admin = new AdminValue("0.NA/88.118.8", 300, AdminPermissions.AddValue | AdminPermissions.ReadValue);

        Assert.True(AdminValue.TryDecode(admin.Encode(), out var decoded));
        Assert.Equal(admin, decoded);
    }

    [Fact]
    public void TryDecode_RejectsTrailingBytes()
    {
        var bytes = new AdminValue("0.NA/1", 1, AdminPermissions.None).Encode().Append((byte)0).ToArray();

        Assert.False(AdminValue.TryDecode(bytes, out _));
    }
}

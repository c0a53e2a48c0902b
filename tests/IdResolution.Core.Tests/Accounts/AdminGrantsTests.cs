using IdResolution.Core.Accounts;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Accounts;

public sealed class AdminGrantsTests
{
    private static readonly AdminIdentity Alice = AdminIdentity.Parse("300:88.118.8.1001/alice");

    [Theory]
    [InlineData("300:88.118.8.1001/alice", 300, "88.118.8.1001/ALICE", false)]
    [InlineData("300:88.118.8.1001/alice", 300, "88.118.8.1001/alice", true)]
    [InlineData("300:88.118.8.1001/alice", 0, "88.118.8.1001/alice", true)]
    [InlineData("300:88.118.8.1001/alice", 301, "88.118.8.1001/alice", false)]
    [InlineData("300:88.118.8.1001/alice", 300, "88.118.8.1001/alice2", false)]
    public void IsNamedBy_ComparesTheNormalisedHandleAndTheIndex(string identity, int index, string handle, bool named) =>
        Assert.Equal(named, AdminIdentity.Parse(identity).IsNamedBy(handle, index));

    [Fact]
    public void PrefixCaseDoesNotMatter_SuffixCaseDoes()
    {
        var identity = AdminIdentity.Parse("300:88.abc/alice");

        Assert.True(identity.IsNamedBy("88.ABC/alice", 300));
        Assert.False(identity.IsNamedBy("88.abc/Alice", 300));
        Assert.Equal("300:88.ABC/alice", identity.Key);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData(":88.118.8.1001/alice")]
    [InlineData("0:88.118.8.1001/alice")]
    [InlineData("-3:88.118.8.1001/alice")]
    [InlineData("3x:88.118.8.1001/alice")]
    [InlineData("300:no-slash")]
    [InlineData("300:")]
    public void BadIdentities_AreRefused(string text) => Assert.False(AdminIdentity.TryParse(text, out _, out _));

    [Fact]
    public void Granting_KeepsOnlyAdminValuesWithEveryNeededBit()
    {
        var values = new[]
        {
            Admin(100, "88.118.8.1001/alice", 300, AdminPermissions.ModifyValue | AdminPermissions.AddValue),
            Admin(101, "88.118.8.1001/bob", 300, AdminPermissions.ModifyValue),
            new HandleValue(1, "URL", "https://x"u8.ToArray()),
            new HandleValue(2, "HS_ADMIN", [1, 2, 3]),
        };

        Assert.Equal(["88.118.8.1001/alice"], AdminGrants.Granting(values, AdminPermissions.ModifyValue | AdminPermissions.AddValue).Select(a => a.Handle));
        Assert.Equal(2, AdminGrants.Granting(values, AdminPermissions.ModifyValue).Count);
        Assert.Empty(AdminGrants.Granting(values, AdminPermissions.DeleteHandle));
    }

    [Fact]
    public void ListsMember_FindsTheIdentityInTheNamedValueList()
    {
        var group = new[]
        {
            new HandleValue(200, "HS_VLIST", ValueReferenceList.Encode([new ValueReference("88.118.8.1001/bob", 300), new ValueReference("88.118.8.1001/alice", 300)])),
            new HandleValue(201, "HS_VLIST", ValueReferenceList.Encode([new ValueReference("88.118.8.1001/carol", 300)])),
        };

        Assert.True(AdminGrants.ListsMember(group, 200, Alice));
        Assert.False(AdminGrants.ListsMember(group, 201, Alice));
        Assert.True(AdminGrants.ListsMember(group, 0, Alice));
    }

    private static HandleValue Admin(int index, string handle, int adminIndex, AdminPermissions permissions) =>
        new(index, "HS_ADMIN", new AdminValue(handle, adminIndex, permissions).Encode());
}

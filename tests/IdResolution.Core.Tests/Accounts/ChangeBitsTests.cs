using IdResolution.Core.Accounts;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Accounts;

public sealed class ChangeBitsTests
{
    private static readonly HandleValue Url = new(1, "URL", "https://a"u8.ToArray());
    private static readonly HandleValue Admin = new(100, "HS_ADMIN", new AdminValue("88.1/boss", 300, (AdminPermissions)0xFFF).Encode());
    private static readonly HandleValue Group = new(200, "HS_VLIST", ValueReferenceList.Encode([new ValueReference("88.1/bob", 300)]));
    private static readonly HandleValue[] Current = [Url, Admin, Group];

    [Fact]
    public void PuttingBackTheSameRecord_NeedsNothing() =>
        Assert.Equal(AdminPermissions.None, ChangeBits.Replace(Current, [Url with { Timestamp = 99 }, Admin, Group]));

    [Fact]
    public void ReplacingWithoutTheAdminValues_NeedsRemoveAdmin() =>
        Assert.Equal(AdminPermissions.RemoveValue | AdminPermissions.RemoveAdmin, ChangeBits.Replace(Current, [Url]));

    [Fact]
    public void OverwritingAnAdminValueWithAnything_NeedsModifyAdmin() =>
        Assert.Equal(AdminPermissions.ModifyValue | AdminPermissions.ModifyAdmin, ChangeBits.Upsert(Current, [new HandleValue(100, "URL", "x"u8.ToArray())]));

    [Fact]
    public void AddingAGroup_NeedsAddAdmin() =>
        Assert.Equal(AdminPermissions.AddValue | AdminPermissions.AddAdmin, ChangeBits.Upsert([Url], [Group]));

    [Fact]
    public void ChangingAnOrdinaryValue_NeedsModifyValueOnly() =>
        Assert.Equal(AdminPermissions.ModifyValue, ChangeBits.Upsert(Current, [new HandleValue(1, "URL", "https://b"u8.ToArray())]));

    [Fact]
    public void ChangingAValuesPermissions_IsAModification() =>
        Assert.Equal(AdminPermissions.ModifyValue, ChangeBits.Upsert(Current, [Url with { Permissions = ValuePermissions.AdminRead }]));

    [Theory]
    [InlineData(new[] { 1 }, AdminPermissions.RemoveValue)]
    [InlineData(new[] { 100 }, AdminPermissions.RemoveValue | AdminPermissions.RemoveAdmin)]
    [InlineData(new[] { 200 }, AdminPermissions.RemoveValue | AdminPermissions.RemoveAdmin)]
    [InlineData(new[] { 1, 200 }, AdminPermissions.RemoveValue | AdminPermissions.RemoveAdmin)]
    public void RemovingValues_NeedsRemoveValue_AndRemoveAdminForAdministeringOnes(int[] indexes, AdminPermissions needed) =>
        Assert.Equal(needed, ChangeBits.Remove(Current, indexes));
}

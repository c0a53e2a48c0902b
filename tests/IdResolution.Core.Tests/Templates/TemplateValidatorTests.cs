using System.Text;
using IdResolution.Core.Templates;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Templates;

/// <summary>Each template rule, one by one, on a daily-chemicals shampoo template.</summary>
public sealed class TemplateValidatorTests
{
    private static readonly MetadataTemplate Shampoo = new()
    {
        Name = "daily-chemicals.shampoo",
        Version = "1.0",
        IndustryCategory = "daily-use chemicals",
        Fields =
        [
            new() { Name = "productName", Index = 2000, Type = FieldType.String, Required = true, MinLength = 2, MaxLength = 40 },
            new() { Name = "netVolume", Index = 2001, Type = FieldType.Integer, Required = true, Min = 1, Max = 5000, Unit = "ml" },
            new() { Name = "ph", Index = 2002, Type = FieldType.Decimal, Min = 3.5m, Max = 8.0m },
            new() { Name = "productionDate", Index = 2003, Type = FieldType.Date, Required = true },
            new() { Name = "inspectedAt", Index = 2004, Type = FieldType.DateTime },
            new() { Name = "skinType", Index = 2005, Type = FieldType.Enum, EnumValues = ["oily", "dry", "normal"] },
            new() { Name = "manual", Index = 2006, Type = FieldType.Url },
            new() { Name = "batch", Index = 2007, Type = FieldType.Identifier, Pattern = @"88\.118\.8\.\d+/B-[0-9]+" },
            new() { Name = "ingredients", Index = 2008, Type = FieldType.Json },
        ],
    };

    private static readonly HandleValue[] Good =
    [
        V(1, "URL", "https://shampoo.example"),
        V(2000, "productName", "草本洗发水"),
        V(2001, "netVolume", "500"),
        V(2002, "ph", "5.5"),
        V(2003, "productionDate", "2026-03-17"),
        V(2004, "inspectedAt", "2026-03-17T08:00:00+08:00"),
        V(2005, "skinType", "oily"),
        V(2006, "manual", "https://shampoo.example/manual.pdf"),
        V(2007, "batch", "88.118.8.1001/B-42"),
        V(2008, "ingredients", """["water","sodium laureth sulfate"]"""),
    ];

    [Fact]
    public void AGoodRecord_BreaksNoRule() => Assert.Empty(TemplateValidator.Validate(Shampoo, Good));

    [Theory]
    [InlineData(2000, "productName", "x", "minLength")]
    [InlineData(2000, "productName", "0123456789012345678901234567890123456789X", "maxLength")]
    [InlineData(2001, "netVolume", "half", "integer")]
    [InlineData(2001, "netVolume", "9000", "range")]
    [InlineData(2001, "netVolume", "0", "range")]
    [InlineData(2002, "ph", "5,5", "decimal")]
    [InlineData(2002, "ph", "9.1", "range")]
    [InlineData(2003, "productionDate", "17/03/2026", "date")]
    [InlineData(2004, "inspectedAt", "2026-03-17T08:00:00", "datetime")]
    [InlineData(2005, "skinType", "greasy", "enum")]
    [InlineData(2006, "manual", "ftp://x.example/m", "url")]
    [InlineData(2007, "batch", "not an identifier", "identifier")]
    [InlineData(2007, "batch", "88.118.8.1001/LOT-42", "pattern")]
    [InlineData(2008, "ingredients", "[water", "json")]
    [InlineData(2001, "volume", "500", "type")]
    public void EachBrokenRule_IsNamedWithItsField(int index, string type, string data, string rule)
    {
        var values = Good.Select(v => v.Index == index ? V(index, type, data) : v).ToList();

        var violation = Assert.Single(TemplateValidator.Validate(Shampoo, values));

        Assert.Equal(rule, violation.Rule);
        Assert.Equal(index, violation.Index);
        Assert.Contains(Shampoo.Fields.Single(f => f.Index == index).Name, violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredFields_UnknownFields_AndBadText_AreAllReported()
    {
        var values = new List<HandleValue>(Good.Where(v => v.Index is not (2000 or 2003)))
        {
            V(2999, "colour", "green"),
            new(2005, "skinType", [0xff, 0xfe]),
        };
        values.RemoveAll(v => v.Index == 2005 && v.Data.Length > 2);

        var rules = TemplateValidator.Validate(Shampoo, values).Select(v => (v.Rule, v.Index)).ToList();

        Assert.Equal([("required", 2000), ("required", 2003), ("text", 2005), ("unknown", 2999)], rules.OrderBy(r => r.Index).ToList());
    }

    [Fact]
    public void AHostilePattern_CannotStallAWrite()
    {
        var template = Shampoo with { Fields = [new() { Name = "code", Index = 2000, Type = FieldType.String, Pattern = "(a+)+b" }] };

        var violation = Assert.Single(TemplateValidator.Validate(template, [V(2000, "code", new string('a', 40) + "c")]));

        Assert.Equal("pattern", violation.Rule);
    }

    [Fact]
    public void ABrokenTemplate_SaysWhatIsWrongWithIt()
    {
        var template = new MetadataTemplate
        {
            Name = "t",
            Version = "1",
            Fields =
            [
                new() { Name = "a", Index = 1001, Type = FieldType.String },
                new() { Name = "a", Index = 2001, Type = FieldType.Enum },
                new() { Name = "b", Index = 2001, Type = FieldType.Integer, Min = 5, Max = 1 },
                new() { Name = "c", Index = 2002, Type = FieldType.String, Pattern = "([", MinLength = 5, MaxLength = 1 },
            ],
        };

        var problems = string.Join("\n", template.Problems());

        Assert.Contains("below 2000", problems, StringComparison.Ordinal);
        Assert.Contains("the name is used twice", problems, StringComparison.Ordinal);
        Assert.Contains("index 2001 is used twice", problems, StringComparison.Ordinal);
        Assert.Contains("an enum needs its values", problems, StringComparison.Ordinal);
        Assert.Contains("min must be <= max", problems, StringComparison.Ordinal);
        Assert.Contains("not a valid regular expression", problems, StringComparison.Ordinal);
        Assert.Contains("minLength must be", problems, StringComparison.Ordinal);
        Assert.Empty(Shampoo.Problems());
    }

    private static HandleValue V(int index, string type, string data) => new(index, type, Encoding.UTF8.GetBytes(data));
}

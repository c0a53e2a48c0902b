using System.Text;
using CsCheck;
using IdResolution.Core.Accounts;
using IdResolution.Core.Handles;
using IdResolution.Core.Values;

namespace IdResolution.Core.Tests.Fuzz;

/// <summary>The identifier parsers on hostile text: they answer yes or no with a reason, never throw, and what they accept is well formed.</summary>
[Trait("Category", "Fuzz")]
public sealed class ParserFuzzTests
{
    [Fact]
    public void HandleName_NeverThrows_AndWhatItAcceptsIsNormalAndStable() =>
        FuzzRun.Sample(FuzzRun.HostileText, text =>
        {
            if (!HandleName.TryParse(text, out var name, out var error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
                return;
            }

            Assert.True(Encoding.UTF8.GetByteCount(name.Display) <= HandleLimits.MaxHandleBytes);
            Assert.DoesNotContain(name.Display, char.IsControl);
            Assert.True(HandleName.TryParse(name.Display, out var again, out _));
            Assert.Equal(name.Key, again.Key);
            Assert.Equal(name.Prefix.Key, name.Prefix.Key.ToUpperInvariant());
        });

    [Fact]
    public void PrefixName_NeverThrows_AndWhatItAcceptsIsAsciiDotted() =>
        FuzzRun.Sample(FuzzRun.HostileText, text =>
        {
            if (PrefixName.TryParse(text, out var prefix, out var error))
            {
                Assert.All(prefix.Key, c => Assert.True(char.IsAscii(c) && (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'), $"'{c}' in {prefix.Key}"));
                Assert.DoesNotContain("..", prefix.Key, StringComparison.Ordinal);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        });

    [Fact]
    public void DigitalLink_NeverThrows_AndWhatItAcceptsReadsBackTheSame() =>
        FuzzRun.Sample(Gen.OneOf(FuzzRun.HostileText, FuzzRun.HostileText.Select(t => "/01/09506000134352/" + t), FuzzRun.HostileText.Select(t => "/01/09506000134352/21/" + t)), text =>
        {
            if (Core.Schemes.DigitalLink.TryParse(text, out var key, out var error))
            {
                Assert.True(Core.Schemes.DigitalLink.TryParse(key.Path, out var again, out _));
                Assert.Equal(key.Path, again!.Path);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        });

    [Fact]
    public void SchemeNames_NeverThrow_AndWhatTheyAcceptIsCanonicalWithNamespaceCandidates() =>
        FuzzRun.Sample(
            Gen.OneOf(
                FuzzRun.HostileText.Select(t => "oid:" + t),
                FuzzRun.HostileText.Select(t => "1.2." + t),
                FuzzRun.HostileText.Select(t => "GS1/" + t),
                FuzzRun.HostileText.Select(t => "GS1/01/09506000134352/21/" + t),
                FuzzRun.HostileText.Select(t => "oid:" + t).Select(t => t.Where(c => c is '.' || char.IsAsciiDigit(c)).Aggregate("oid:1.", (a, c) => a + c))),
            text =>
            {
                if (!HandleName.TryParse(text, out var name, out var error))
                {
                    Assert.False(string.IsNullOrWhiteSpace(error));
                    return;
                }

                Assert.True(HandleName.TryParse(name.Key, out var again, out _));
                Assert.Equal(name.Key, again.Key);
                if (name.Scheme != Core.Schemes.IdentifierScheme.Handle)
                {
                    Assert.All(Core.Schemes.SchemeNames.HomeCandidates(name), p => Assert.StartsWith(name.Key[..3] + ".", p.Key, StringComparison.Ordinal));
                }
            });

    [Fact]
    public void DigitalLinkCanonicalCheck_AgreesWithTheParser() =>
        FuzzRun.Sample(
            Gen.OneOf(
                FuzzRun.HostileText,
                FuzzRun.HostileText.Select(t => "01/09506000134352/" + t),
                FuzzRun.HostileText.Select(t => "01/09506000134352/21/" + t),
                Gen.Int[0, 99_999].Select(i => $"01/0950600013{i % 10_000:D4}"),
                Gen.Int[0, 99_999].Select(i => $"8004/9506000{i}/7040/A1-{i % 7}"),
                Gen.Int[0, 99_999].Select(i => $"00/106141412345678{i % 1000:D3}")),
            text =>
            {
                if (Core.Schemes.DigitalLink.IsCanonical(text))
                {
                    Assert.True(Core.Schemes.DigitalLink.TryParse("/" + text, out var key, out var error), error);
                    Assert.Equal("/" + text, key.Path);
                }
            });

    [Fact]
    public void CreditCode_NeverThrows() =>
        FuzzRun.Sample(FuzzRun.HostileText, text =>
        {
            if (!CreditCode.IsValid(text, out var error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        });

    [Fact]
    public void PermissionText_NeverThrows_AndRoundTrips() =>
        FuzzRun.Sample(FuzzRun.HostileText, text =>
        {
            if (PermissionText.TryParse(text, out var permissions))
            {
                Assert.Equal(text, PermissionText.Format(permissions));
            }
        });
}

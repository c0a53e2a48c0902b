using CsCheck;
using IdResolution.Core.Native;

namespace IdResolution.Core.Tests.Fuzz;

/// <summary>The native protocol's request decoder on hostile bytes: it answers yes or no with a reason, never throws.</summary>
[Trait("Category", "Fuzz")]
public sealed class NativeFuzzTests
{
    [Fact]
    public void ResolutionRequestBodies_NeverThrow() =>
        FuzzRun.Sample(Gen.Byte.Array[0, 200], bytes =>
        {
            if (!ResolutionRequest.TryRead(bytes, out _, out var error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        });

    [Fact]
    public void EnvelopesAndHeaders_ReadAnyBytesAndWriteThemBack() =>
        FuzzRun.Sample(Gen.Byte.Array[MessageEnvelope.Size + MessageHeader.Size], bytes =>
        {
            var header = MessageHeader.Read(bytes.AsSpan(MessageEnvelope.Size));
            var again = new byte[MessageHeader.Size];
            header.Write(again);
            Assert.Equal(MessageHeader.Read(again), header);
        });
}

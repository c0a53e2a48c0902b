using Google.Protobuf;
using IdResolution.Contracts;
using IdResolution.Contracts.V1;

namespace IdResolution.Server.Tests.Grpc;

public sealed class PreEncodedMessagesTests
{
    [Fact]
    public void AnEncodedAnswer_CarriesTheMessagesBytes_AndNothingElse()
    {
        var answer = new ResolveResponse { Handle = "88.118.8.1001/P-1", ResponseCode = 1 };
        answer.Values.Add(new HandleValue { Index = 1, Type = "URL", Data = ByteString.CopyFromUtf8("https://p.example") });

        var encoded = PreEncodedMessages.Encoded(answer);

        Assert.True(PreEncodedMessages.TryGet(encoded, out var bytes));
        Assert.Equal(answer.ToByteArray(), bytes);
        Assert.Equal(answer, ResolveResponse.Parser.ParseFrom(bytes));
        // It holds the bytes, not the message's objects; the message itself is left as it was.
        Assert.Empty(encoded.Values);
        Assert.Empty(encoded.Handle);
        Assert.False(PreEncodedMessages.TryGet(answer, out _));
        // A clone may be changed, so it is serialised afresh.
        Assert.False(PreEncodedMessages.TryGet(encoded.Clone(), out _));
        Assert.False(PreEncodedMessages.TryGet(new ResolveResult { Handle = "88.118.8.1001/P-1" }, out _));
    }
}

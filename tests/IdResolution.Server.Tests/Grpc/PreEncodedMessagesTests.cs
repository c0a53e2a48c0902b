using Google.Protobuf;
using IdResolution.Contracts;
using IdResolution.Contracts.V1;

namespace IdResolution.Server.Tests.Grpc;

public sealed class PreEncodedMessagesTests
{
    [Fact]
    public void AFrozenAnswer_CarriesItsOwnEncoding_AndACopyOfItDoesNot()
    {
        var answer = new ResolveResponse { Handle = "88.118.8.1001/P-1", ResponseCode = 1 };
        answer.Values.Add(new HandleValue { Index = 1, Type = "URL" });

        Assert.False(PreEncodedMessages.TryGet(answer, out _));
        PreEncodedMessages.Freeze(answer);

        Assert.True(PreEncodedMessages.TryGet(answer, out var bytes));
        Assert.Equal(answer.ToByteArray(), bytes);
        Assert.Equal(answer, ResolveResponse.Parser.ParseFrom(bytes));
        // A clone may be changed, so it is serialised afresh.
        Assert.False(PreEncodedMessages.TryGet(answer.Clone(), out _));
        Assert.False(PreEncodedMessages.TryGet(new ResolveResult { Handle = "88.118.8.1001/P-1" }, out _));
    }
}

using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace IdResolution.Contracts;

/// <summary>
/// Messages serialised once and answered many times (cached resolve answers). A frozen message must not
/// be modified; the server's marshaller writes its stored bytes instead of serialising it again.
/// </summary>
public static class PreEncodedMessages
{
    private static readonly ConditionalWeakTable<object, byte[]> Encoded = [];

    public static T Freeze<T>(T message)
        where T : class, IMessage
    {
        Encoded.AddOrUpdate(message, message.ToByteArray());
        return message;
    }

    public static bool TryGet(object message, out byte[]? bytes) => Encoded.TryGetValue(message, out bytes);
}

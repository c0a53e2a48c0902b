using Google.Protobuf;

namespace IdResolution.Contracts;

/// <summary>
/// Messages serialised once and answered many times (cached resolve answers). A frozen message must not
/// be modified; the server's marshaller writes its stored bytes instead of serialising it again.
/// </summary>
/// <remarks>
/// The bytes live on the message itself (the generated classes are partial), not in a table keyed by message: a
/// <c>ConditionalWeakTable</c> holding one entry per cached answer made every gen0 collection 2.5 times longer
/// (a dependent handle per entry, scanned on each collection).
/// </remarks>
public static class PreEncodedMessages
{
    public static T Freeze<T>(T message)
        where T : class, IMessage, IPreEncodable
    {
        message.PreEncoded = message.ToByteArray();
        return message;
    }

    public static bool TryGet(object message, out byte[]? bytes)
    {
        bytes = (message as IPreEncodable)?.PreEncoded;
        return bytes is not null;
    }
}

/// <summary>A message that can carry its own encoding (<see cref="PreEncodedMessages"/>).</summary>
public interface IPreEncodable
{
    byte[]? PreEncoded { get; set; }
}

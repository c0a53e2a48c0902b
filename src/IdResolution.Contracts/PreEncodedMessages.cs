using Google.Protobuf;

namespace IdResolution.Contracts;

/// <summary>
/// Messages serialised once and answered many times (cached resolve answers). An encoded message is an empty message
/// of the same type carrying another's bytes; the server's marshaller writes those bytes instead of serialising it.
/// </summary>
/// <remarks>
/// The bytes live on the message itself (the generated classes are partial), not in a table keyed by message: a
/// <c>ConditionalWeakTable</c> holding one entry per cached answer made every gen0 collection 2.5 times longer
/// (a dependent handle per entry, scanned on each collection).
/// </remarks>
public static class PreEncodedMessages
{
    /// <summary>
    /// <paramref name="message"/> as its bytes alone, in an empty message of its type: one array held instead of its
    /// object graph (about 50 objects for a record of 7 values, which every full collection would trace for as long as
    /// the answer is cached). Its fields are empty: send it, read nothing from it.
    /// </summary>
    public static T Encoded<T>(T message)
        where T : class, IMessage, IPreEncodable, new()
    {
        var encoded = new T();
        encoded.PreEncoded = message.ToByteArray();
        return encoded;
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

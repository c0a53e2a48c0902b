using IdResolution.Core.Wire;

namespace IdResolution.Core.Native;

/// <summary>
/// Requests this node sends as a client (recursive resolution): built as the reference client builds them (§9.1),
/// suggesting our version, with the hop count carried in the header so that loops between nodes end (§2).
/// </summary>
public static class NativeRequests
{
    /// <summary>A resolution request (opcode 1) for <paramref name="handle"/>, optionally only values of <paramref name="types"/>.</summary>
    public static byte[] Resolution(int requestId, string handle, IReadOnlyList<string> types, OpFlags flags, byte recursionCount, long now)
    {
        var body = new WireWriter(64);
        body.WriteString(handle);
        body.WriteInt32(0); // no index filter
        body.WriteInt32(types.Count);
        foreach (var type in types)
        {
            body.WriteString(type);
        }

        return new MessageHeader(MessageHeader.OpResolution, 0, flags, -1, recursionCount, (uint)(now + NativeResponses.LifetimeSeconds), 0)
            .Frame(new MessageEnvelope(NativeResponses.MajorVersion, NativeResponses.MinorVersion, false, false, false,
                NativeResponses.MajorVersion, NativeResponses.MinorVersion, 0, requestId, 0, 0), body.ToArray());
    }
}

using System.Buffers.Binary;
using System.Text;

namespace IdResolution.Core.Native;

/// <summary>
/// Builds answers the way HANDLE.NET clients expect them: request and session ids and opcode echoed, the negotiated
/// version (the lower of the client's suggestion and ours), an expiry in the future, exact lengths, and an empty
/// credential (unsigned). See docs/design/native-protocol.md §1.3, §3.3, §3.4.
/// </summary>
public static class NativeResponses
{
    public const byte MajorVersion = 2;
    public const byte MinorVersion = 11;

    /// <summary>Answers stay valid for 12 hours, as the reference server's do; clients refuse expired ones.</summary>
    public const uint LifetimeSeconds = 12 * 3600;

    /// <summary>A success answer to a resolution: the handle as asked and the encoded value list (count, then values).</summary>
    public static byte[] Resolution(
        MessageEnvelope request, MessageHeader header, ReadOnlySpan<byte> handle, ReadOnlySpan<byte> valueList, OpFlags flags, short siteSerial, long now, ReadOnlySpan<byte> digest = default) =>
        HandleAndValues(request, header, ResponseCode.Success, handle, valueList, flags, siteSerial, now, digest);

    /// <summary>A get-site-info answer (opcode 2): the body is the site record alone (after the digest, when asked for).</summary>
    public static byte[] SiteInfo(MessageEnvelope request, MessageHeader header, ReadOnlySpan<byte> record, OpFlags flags, short siteSerial, long now, ReadOnlySpan<byte> digest = default)
    {
        var body = new byte[digest.Length + record.Length];
        digest.CopyTo(body);
        record.CopyTo(body.AsSpan(digest.Length));
        return Message(request, header, (int)ResponseCode.Success, flags, siteSerial, now, body);
    }

    /// <summary>An error answer: the response code and a message (§3.4: no index list).</summary>
    public static byte[] Error(
        MessageEnvelope request, MessageHeader header, ResponseCode code, string message, OpFlags flags, short siteSerial, long now, ReadOnlySpan<byte> digest = default)
    {
        var text = Encoding.UTF8.GetBytes(message);
        var body = new byte[digest.Length + 4 + text.Length];
        digest.CopyTo(body);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(digest.Length), text.Length);
        text.CopyTo(body.AsSpan(digest.Length + 4));
        return Message(request, header, (int)code, flags, siteSerial, now, body);
    }

    /// <summary>A service referral (302, §3.5): the service handle to consult, then the site values that spare looking it up.</summary>
    public static byte[] Referral(
        MessageEnvelope request, MessageHeader header, string serviceHandle, ReadOnlySpan<byte> valueList, OpFlags flags, short siteSerial, long now, ReadOnlySpan<byte> digest = default) =>
        HandleAndValues(request, header, ResponseCode.ServiceReferral, Encoding.UTF8.GetBytes(serviceHandle), valueList, flags, siteSerial, now, digest);

    private static byte[] HandleAndValues(
        MessageEnvelope request, MessageHeader header, ResponseCode code, ReadOnlySpan<byte> handle, ReadOnlySpan<byte> valueList, OpFlags flags, short siteSerial, long now, ReadOnlySpan<byte> digest)
    {
        var body = new byte[digest.Length + 4 + handle.Length + valueList.Length];
        digest.CopyTo(body);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(digest.Length), handle.Length);
        handle.CopyTo(body.AsSpan(digest.Length + 4));
        valueList.CopyTo(body.AsSpan(digest.Length + 4 + handle.Length));
        return Message(request, header, (int)code, flags, siteSerial, now, body);
    }

    /// <summary>
    /// The request digest a response starts with when the request sets RD (§3.2): the algorithm octet and the hash of
    /// the request's header and body as received — SHA-256 (3) from version 2.7 on, SHA-1 (2) before.
    /// </summary>
    public static byte[] Digest(MessageEnvelope request, ReadOnlySpan<byte> headerAndBody)
    {
        var (major, minor) = Negotiated(request);
        var sha256 = major > 2 || (major == 2 && minor >= 7);
        var hash = sha256 ? System.Security.Cryptography.SHA256.HashData(headerAndBody) : System.Security.Cryptography.SHA1.HashData(headerAndBody);
        return [(byte)(sha256 ? 3 : 2), .. hash];
    }

    private static byte[] Message(MessageEnvelope request, MessageHeader header, int code, OpFlags flags, short siteSerial, long now, byte[] body)
    {
        var (major, minor) = Negotiated(request);
        return new MessageHeader(header.OpCode, code, flags, siteSerial, header.RecursionCount, (uint)(now + LifetimeSeconds), 0)
            .Frame(new MessageEnvelope(major, minor, false, false, false, MajorVersion, MinorVersion, request.SessionId, request.RequestId, 0, 0), body);
    }

    /// <summary>The lower of the version the client suggests and ours.</summary>
    public static (byte Major, byte Minor) Negotiated(MessageEnvelope request) =>
        request.SuggestedMajor < MajorVersion || (request.SuggestedMajor == MajorVersion && request.SuggestedMinor < MinorVersion)
            ? (request.SuggestedMajor, request.SuggestedMinor)
            : (MajorVersion, MinorVersion);
}

using System.Buffers.Binary;

namespace IdResolution.Core.Native;

/// <summary>Message header OpFlag bits (RFC 3652 §2.2.2.3; bit 0 is the most significant).</summary>
[Flags]
public enum OpFlags : uint
{
    None = 0,
    Authoritative = 0x8000_0000,
    Certified = 0x4000_0000,
    Encrypted = 0x2000_0000,
    Recursive = 0x1000_0000,
    CacheAuthenticated = 0x0800_0000,
    Continuous = 0x0400_0000,
    KeepConnection = 0x0200_0000,
    PublicOnly = 0x0100_0000,
    RequestDigest = 0x0080_0000,
    DoNotRefer = 0x0010_0000,
}

/// <summary>
/// The 20-byte message envelope: protocol version, the compressed/encrypted/truncated flags, the version the sender
/// suggests (HANDLE.NET keeps it in bits the RFC reserves), session, request and sequence ids, and the length of what
/// follows. See docs/design/native-protocol.md §1.
/// </summary>
public readonly record struct MessageEnvelope(
    byte MajorVersion, byte MinorVersion, bool Compressed, bool Encrypted, bool Truncated,
    byte SuggestedMajor, byte SuggestedMinor, int SessionId, int RequestId, int SequenceNumber, int MessageLength)
{
    public const int Size = 20;

    public static MessageEnvelope Read(ReadOnlySpan<byte> bytes)
    {
        var flags = bytes[2];
        var suggestedMajor = (byte)(flags & 0x03);
        return new MessageEnvelope(
            bytes[0], bytes[1], (flags & 0x80) != 0, (flags & 0x40) != 0, (flags & 0x20) != 0,
            suggestedMajor == 0 ? bytes[0] : suggestedMajor, suggestedMajor == 0 ? bytes[1] : bytes[3],
            BinaryPrimitives.ReadInt32BigEndian(bytes[4..]), BinaryPrimitives.ReadInt32BigEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32BigEndian(bytes[12..]), BinaryPrimitives.ReadInt32BigEndian(bytes[16..]));
    }

    public void Write(Span<byte> bytes)
    {
        bytes[0] = MajorVersion;
        bytes[1] = MinorVersion;
        bytes[2] = (byte)((Compressed ? 0x80 : 0) | (Encrypted ? 0x40 : 0) | (Truncated ? 0x20 : 0) | (SuggestedMajor & 0x03));
        bytes[3] = SuggestedMinor;
        BinaryPrimitives.WriteInt32BigEndian(bytes[4..], SessionId);
        BinaryPrimitives.WriteInt32BigEndian(bytes[8..], RequestId);
        BinaryPrimitives.WriteInt32BigEndian(bytes[12..], SequenceNumber);
        BinaryPrimitives.WriteInt32BigEndian(bytes[16..], MessageLength);
    }
}

/// <summary>The 24-byte message header: operation, response code, flags, site serial, recursion, expiry, body length (§2).</summary>
public readonly record struct MessageHeader(
    int OpCode, int ResponseCode, OpFlags Flags, short SiteInfoSerial, byte RecursionCount, uint ExpirationTime, int BodyLength)
{
    public const int Size = 24;

    public const int OpResolution = 1;
    public const int OpGetSiteInfo = 2;

    public static MessageHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadInt32BigEndian(bytes), BinaryPrimitives.ReadInt32BigEndian(bytes[4..]),
        (OpFlags)BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]), BinaryPrimitives.ReadInt16BigEndian(bytes[12..]), bytes[14],
        BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadInt32BigEndian(bytes[20..]));

    /// <summary>
    /// A whole message: <paramref name="envelope"/> and this header with their lengths set from <paramref name="body"/>,
    /// the body, and an empty credential (unsigned).
    /// </summary>
    public byte[] Frame(MessageEnvelope envelope, ReadOnlySpan<byte> body)
    {
        var message = new byte[MessageEnvelope.Size + Size + body.Length + 4];
        (envelope with { MessageLength = Size + body.Length + 4 }).Write(message);
        (this with { BodyLength = body.Length }).Write(message.AsSpan(MessageEnvelope.Size));
        body.CopyTo(message.AsSpan(MessageEnvelope.Size + Size));
        return message; // the last 4 bytes stay 0: no credential
    }

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteInt32BigEndian(bytes, OpCode);
        BinaryPrimitives.WriteInt32BigEndian(bytes[4..], ResponseCode);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[8..], (uint)Flags);
        BinaryPrimitives.WriteInt16BigEndian(bytes[12..], SiteInfoSerial);
        bytes[14] = RecursionCount;
        bytes[15] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(bytes[16..], ExpirationTime);
        BinaryPrimitives.WriteInt32BigEndian(bytes[20..], BodyLength);
    }
}

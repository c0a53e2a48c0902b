using System.Diagnostics.CodeAnalysis;
using System.Text;
using IdResolution.Core.Values;
using IdResolution.Core.Wire;

namespace IdResolution.Core.Native;

/// <summary>
/// A response to a resolution request as this node reads it when it asks another site: the code, and by code the
/// values (1), the referral (302, 303: the service handle and the site values that come with it), or the message
/// (anything else). A request digest at the start of the body is skipped (§3.2, §3.3–3.5).
/// </summary>
public sealed record NativeAnswer(int RequestId, ResponseCode Code, byte RecursionCount, HandleValue[] Values, string? ReferralHandle, string? Message)
{
    public static bool TryRead(ReadOnlySpan<byte> message, [NotNullWhen(true)] out NativeAnswer? answer, [NotNullWhen(false)] out string? error)
    {
        answer = null;
        try
        {
            if (message.Length < MessageEnvelope.Size + MessageHeader.Size)
            {
                throw new FormatException($"{message.Length} bytes is shorter than an envelope and a header");
            }

            var envelope = MessageEnvelope.Read(message);
            var header = MessageHeader.Read(message[MessageEnvelope.Size..]);
            if (header.ResponseCode == 0 || header.BodyLength < 0 || header.BodyLength > message.Length - MessageEnvelope.Size - MessageHeader.Size)
            {
                throw new FormatException(header.ResponseCode == 0 ? "a request, not a response" : $"body length {header.BodyLength} exceeds the message");
            }

            var reader = new WireReader(message.Slice(MessageEnvelope.Size + MessageHeader.Size, header.BodyLength));
            if (header.Flags.HasFlag(OpFlags.RequestDigest))
            {
                SkipDigest(ref reader);
            }

            var code = (ResponseCode)header.ResponseCode;
            answer = new NativeAnswer(envelope.RequestId, code, header.RecursionCount, [], null, null);
            if (code == ResponseCode.Success)
            {
                reader.ReadBytes(); // the handle, as asked
                answer = answer with { Values = HandleValueCodec.ReadList(ref reader) };
            }
            else if (code is ResponseCode.ServiceReferral or ResponseCode.PrefixReferral)
            {
                // The service handle to consult, then (optionally) the site values that spare looking it up.
                answer = answer with { ReferralHandle = Encoding.UTF8.GetString(reader.ReadBytes()) };
                answer = reader.AtEnd ? answer : answer with { Values = HandleValueCodec.ReadList(ref reader) };
            }
            else
            {
                answer = answer with { Message = reader.AtEnd ? "" : Encoding.UTF8.GetString(reader.ReadBytes()) };
            }

            error = null;
            return true;
        }
        catch (FormatException e)
        {
            error = "malformed response: " + e.Message;
            return false;
        }
    }

    /// <summary>The digest's algorithm octet says its length: 1 MD5 (16 bytes), 2 SHA-1 (20), 3 SHA-256 (32).</summary>
    private static void SkipDigest(ref WireReader reader)
    {
        var length = reader.ReadByte() switch
        {
            1 => 16,
            2 => 20,
            3 => 32,
            var other => throw new FormatException($"unknown digest algorithm {other}"),
        };
        for (var i = 0; i < length; i++)
        {
            reader.ReadByte();
        }
    }
}

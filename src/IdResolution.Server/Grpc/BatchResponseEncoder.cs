using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using V1 = IdResolution.Contracts.V1;

namespace IdResolution.Server.Grpc;

/// <summary>
/// Serialises a BatchResolveResponse from its <see cref="V1.BatchResolveResponse.Parts"/>: each cached answer's bytes
/// are copied, only the others encoded; the bytes are those protobuf itself would write (field 1, length-delimited, in order).
/// </summary>
public static class BatchResponseEncoder
{
    private const byte ResultsTag = (1 << 3) | 2;

    public static void Write(V1.ResolveResultPart[] parts, SerializationContext context)
    {
        long total = 0;
        foreach (var part in parts)
        {
            var length = Length(part);
            total += 1 + CodedOutputStream.ComputeLengthSize(length) + length;
        }

        if (total > NodeGrpc.MaxSendMessageBytes)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"the answer would be {total} bytes; at most {NodeGrpc.MaxSendMessageBytes} are sent in one message: ask for fewer handles per call"));
        }

        context.SetPayloadLength((int)total);
        var output = context.GetBufferWriter();
        foreach (var part in parts)
        {
            var header = output.GetSpan(6);
            header[0] = ResultsTag;
            var headerLength = 1 + WriteVarint(header[1..], (uint)Length(part));
            output.Advance(headerLength);
            if (part.Encoded is { } bytes)
            {
                output.Write(bytes);
            }
            else
            {
                part.Message!.WriteTo(output);
            }
        }

        context.Complete();
    }

    // Messages are the few results not cached as bytes (failures, filtered answers); their size is computed twice.
    private static int Length(V1.ResolveResultPart part) => part.Encoded?.Length ?? part.Message!.CalculateSize();

    private static int WriteVarint(Span<byte> span, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        return i;
    }
}

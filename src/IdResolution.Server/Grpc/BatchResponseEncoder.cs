using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using IdResolution.Contracts;
using V1 = IdResolution.Contracts.V1;

namespace IdResolution.Server.Grpc;

/// <summary>
/// Serialises a BatchResolveResponse by copying each result's pre-encoded bytes (cached answers) and encoding
/// only the others; the bytes are those protobuf itself would write (field 1, length-delimited, in order).
/// </summary>
public static class BatchResponseEncoder
{
    private const byte ResultsTag = (1 << 3) | 2;

    public static void Write(V1.BatchResolveResponse response, SerializationContext context)
    {
        var results = response.Results;
        long total = 0;
        for (var i = 0; i < results.Count; i++)
        {
            var length = Length(results[i]);
            total += 1 + CodedOutputStream.ComputeLengthSize(length) + length;
        }

        if (total > NodeGrpc.MaxSendMessageBytes)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"the answer would be {total} bytes; at most {NodeGrpc.MaxSendMessageBytes} are sent in one message: ask for fewer handles per call"));
        }

        context.SetPayloadLength((int)total);
        var output = context.GetBufferWriter();
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var length = Length(result);
            var header = output.GetSpan(6);
            header[0] = ResultsTag;
            var headerLength = 1 + WriteVarint(header[1..], (uint)length);
            output.Advance(headerLength);
            if (PreEncodedMessages.TryGet(result, out var bytes))
            {
                output.Write(bytes!);
            }
            else
            {
                result.WriteTo(output);
            }
        }

        context.Complete();
    }

    private static int Length(V1.ResolveResult result) =>
        PreEncodedMessages.TryGet(result, out var bytes) ? bytes!.Length : result.CalculateSize();

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

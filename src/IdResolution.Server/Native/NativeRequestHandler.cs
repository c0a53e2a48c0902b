using System.Diagnostics;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Native;
using IdResolution.Core.Values;
using IdResolution.Server.Resolution;
using IdResolution.Server.Telemetry;

namespace IdResolution.Server.Native;

/// <summary>
/// Answers one native-protocol message (resolution, get-site-info; anything else: 5, operation not supported) from the same resolver,
/// caches and metrics as HTTP and gRPC. Native callers are anonymous: they get the public values.
/// See docs/design/native-protocol.md.
/// </summary>
public sealed class NativeRequestHandler(HandleResolver resolver, ResolveMetrics metrics, TimeProvider clock, Microsoft.Extensions.Options.IOptions<NativeOptions> options)
{
    /// <summary>The site serial this node answers with (its HS_SITE record's, when it has one).</summary>
    public const short SiteSerial = 1;

    private const OpFlags Echoed = OpFlags.Certified | OpFlags.CacheAuthenticated | OpFlags.PublicOnly | OpFlags.RequestDigest | OpFlags.DoNotRefer;

    /// <summary>The answer to <paramref name="message"/> (envelope, header, body, credential), or null when it is not a request to answer.</summary>
    public async ValueTask<byte[]?> AnswerAsync(ReadOnlyMemory<byte> message, string protocol, CancellationToken cancellationToken)
    {
        if (message.Length < MessageEnvelope.Size + MessageHeader.Size)
        {
            return null;
        }

        var envelope = MessageEnvelope.Read(message.Span);
        var header = MessageHeader.Read(message.Span[MessageEnvelope.Size..]);
        if (header.ResponseCode != 0)
        {
            return null; // a response, not a request
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var flags = (header.Flags & Echoed) | OpFlags.Recursive | OpFlags.Authoritative;
        var headerAndBodyLength = MessageHeader.Size + (long)header.BodyLength;
        if (header.BodyLength < 0 || MessageEnvelope.Size + headerAndBodyLength > message.Length)
        {
            return NativeResponses.Error(envelope, header, ResponseCode.ProtocolError, "the body length exceeds the message", flags & ~OpFlags.RequestDigest, SiteSerial, now);
        }

        var digest = header.Flags.HasFlag(OpFlags.RequestDigest)
            ? NativeResponses.Digest(envelope, message.Span.Slice(MessageEnvelope.Size, (int)headerAndBodyLength))
            : [];
        if (envelope.Compressed || envelope.Encrypted)
        {
            return NativeResponses.Error(envelope, header, ResponseCode.ProtocolError, "compressed and encrypted messages are not supported", flags, SiteSerial, now, digest);
        }

        if (header.OpCode == MessageHeader.OpGetSiteInfo)
        {
            // The request's body (a handle, often "/") does not matter: the answer is this node's own site.
            return NativeResponses.SiteInfo(envelope, header, Site().Encode(), flags, SiteSerial, now, digest);
        }

        if (header.OpCode != MessageHeader.OpResolution)
        {
            return NativeResponses.Error(envelope, header, ResponseCode.OperationNotSupported, $"operation {header.OpCode} is not supported by this node", flags, SiteSerial, now, digest);
        }

        var body = message.Span.Slice(MessageEnvelope.Size + MessageHeader.Size, header.BodyLength);
        if (!ResolutionRequest.TryRead(body, out var request, out var error))
        {
            return NativeResponses.Error(envelope, header, ResponseCode.ProtocolError, error, flags, SiteSerial, now, digest);
        }

        return await ResolveAsync(envelope, header, request, flags, digest, protocol, now, cancellationToken);
    }

    private async ValueTask<byte[]> ResolveAsync(
        MessageEnvelope envelope, MessageHeader header, ResolutionRequest request, OpFlags flags, byte[] digest, string protocol, long now, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var code = ResponseCode.Error;
        CacheLayer? layer = null;
        try
        {
            if (request.Handle is not { } text)
            {
                code = ResponseCode.InvalidHandle;
                return NativeResponses.Error(envelope, header, code, "the handle is not UTF-8", flags, SiteSerial, now, digest);
            }

            // The reference server reads a handle without '/' as the prefix record 0.NA/<handle>.
            var recursion = new Hierarchy.Recursion(header.Flags.HasFlag(OpFlags.Recursive), header.RecursionCount);
            var resolution = await resolver.ResolveAsync(text.Contains('/', StringComparison.Ordinal) ? text : "0.NA/" + text, authoritative: false, recursion, cancellationToken);
            (code, layer) = (resolution.Code, resolution.Layer);
            if (resolution.Referral is { } referral)
            {
                var siteValues = HandleValueCodec.Encode(ValueVisibility.PublicOnly(referral.Record!.Values));
                return NativeResponses.Referral(envelope, header, referral.Handle, siteValues, flags, SiteSerial, now, digest);
            }

            if (resolution.Entry is not { } entry)
            {
                return NativeResponses.Error(envelope, header, resolution.Code, resolution.Message ?? "", flags, SiteSerial, now, digest);
            }

            var selectsAll = request.Indexes.Length == 0 && request.Types.Length == 0;
            var values = selectsAll && entry.AllPublic
                ? entry.Values!
                : HandleValueCodec.Encode(ValueVisibility.Select(entry.Record!.Values, new ValueFilter(request.Types, request.Indexes), includeRestricted: false));
            if (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(values) == 0)
            {
                code = ResponseCode.ValuesNotFound;
                return NativeResponses.Error(envelope, header, code, "", flags, SiteSerial, now, digest);
            }

            return NativeResponses.Resolution(envelope, header, request.HandleBytes, values, flags, SiteSerial, now, digest);
        }
        finally
        {
            metrics.Resolved(protocol, code, layer, started);
        }
    }

    /// <summary>This node as a one-server primary site answering queries over TCP and UDP on its native port.</summary>
    private SiteInfoRecord Site() => SiteInfoRecord.OneServer(SiteSerial, options.Value.AdvertisedIp, options.Value.Port, [("desc", "IdResolution identifier node")]);
}

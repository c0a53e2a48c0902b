using System.Collections.Concurrent;
using System.Net;
using IdResolution.Core.Native;

namespace IdResolution.Server.Native;

/// <summary>
/// Puts together requests that came over UDP in several packets (a long handle, many type filters): packets carry the
/// whole message's length and their number in the envelope, 492 message bytes each (docs/design/native-protocol.md §6).
/// Requests are keyed by sender and request id, bounded in size and number, and forgotten when incomplete after a while.
/// </summary>
public sealed class UdpRequestParts(TimeProvider clock)
{
    /// <summary>The longest request taken over UDP; requests are small (a handle and filters), answers may not be.</summary>
    public const int MaxRequest = 16 * 1024;

    private const int MaxPending = 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(IPEndPoint, int), Pending> _pending = new();

    /// <summary>Whether a datagram is one packet of a longer request (TC set, or a length beyond what it holds).</summary>
    public static bool IsPart(MessageEnvelope envelope, int datagramLength) =>
        envelope.Truncated || envelope.MessageLength != datagramLength - MessageEnvelope.Size;

    /// <summary>Adds a packet; the whole request (envelope of packet 0, then the message) once every packet is in, else null.</summary>
    public byte[]? Add(IPEndPoint sender, MessageEnvelope envelope, ReadOnlySpan<byte> datagram)
    {
        var length = envelope.MessageLength;
        var packets = (length + NativeListener.UdpData - 1) / NativeListener.UdpData;
        var offset = (long)envelope.SequenceNumber * NativeListener.UdpData;
        var data = datagram[MessageEnvelope.Size..];
        var expected = envelope.SequenceNumber == packets - 1 ? length - offset : NativeListener.UdpData;
        if (length is <= 0 or > MaxRequest || envelope.SequenceNumber < 0 || envelope.SequenceNumber >= packets || data.Length != expected)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var key = (sender, envelope.RequestId);
        if (!_pending.TryGetValue(key, out var pending))
        {
            if (_pending.Count >= MaxPending && !ForgetExpired(now))
            {
                return null; // too many unfinished requests at once: this one is dropped, as if lost
            }

            pending = _pending.GetOrAdd(key, _ => new Pending(length, packets, now));
        }

        return pending.Add(envelope, data, (int)offset) is { } whole && _pending.TryRemove(key, out _) ? whole : null;
    }

    private bool ForgetExpired(DateTimeOffset now)
    {
        var forgot = false;
        foreach (var (key, pending) in _pending)
        {
            if (now - pending.Started > Patience && _pending.TryRemove(key, out _))
            {
                forgot = true;
            }
        }

        return forgot;
    }

    private sealed class Pending(int length, int packets, DateTimeOffset started)
    {
        private readonly byte[] _message = new byte[MessageEnvelope.Size + length];
        private readonly bool[] _received = new bool[packets];
        private int _count;

        public DateTimeOffset Started { get; } = started;

        public byte[]? Add(MessageEnvelope envelope, ReadOnlySpan<byte> data, int offset)
        {
            lock (_received)
            {
                if (envelope.MessageLength != length || _received[envelope.SequenceNumber])
                {
                    return null;
                }

                _received[envelope.SequenceNumber] = true;
                data.CopyTo(_message.AsSpan(MessageEnvelope.Size + offset));
                if (envelope.SequenceNumber == 0)
                {
                    (envelope with { Truncated = false }).Write(_message);
                }

                return ++_count == _received.Length ? _message : null;
            }
        }
    }
}

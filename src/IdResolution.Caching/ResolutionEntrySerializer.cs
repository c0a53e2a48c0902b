using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using IdResolution.Core;
using ZiggyCreatures.Caching.Fusion.Internals;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;
using ZiggyCreatures.Caching.Fusion.Serialization;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace IdResolution.Caching;

/// <summary>
/// Redis entries of the resolution cache in a small binary form: FusionCache's envelope, then the answer's code,
/// version, handle, encoded values (as the registry stores them) and aliases. Reading an entry from Redis is on the path
/// of every resolve L1 does not answer; System.Text.Json spent about 7% of a Redis-served resolve's CPU there, most of it
/// in its constructor-parameter converter and the values' base64. Everything else (FusionCache's tag markers) and
/// entries written as JSON by earlier builds go through System.Text.Json.
/// </summary>
public sealed class ResolutionEntrySerializer : IFusionCacheSerializer
{
    /// <summary>First byte of an entry in this form; a JSON entry starts with '{'.</summary>
    internal const byte Marker = 0xB1;

    private readonly FusionCacheSystemTextJsonSerializer _json = new();

    public byte[] Serialize<T>(T? obj) =>
        obj is FusionCacheDistributedEntry<CachedResolution> entry ? Write(entry) : _json.Serialize(obj);

    public T? Deserialize<T>(byte[] data) =>
        typeof(T) == typeof(FusionCacheDistributedEntry<CachedResolution>) && data.Length > 0 && data[0] == Marker
            ? (T)(object)Read(data)
            : _json.Deserialize<T>(data);

    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => ValueTask.FromResult(Serialize(obj));

    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => ValueTask.FromResult(Deserialize<T>(data));

    internal static byte[] Write(FusionCacheDistributedEntry<CachedResolution> entry)
    {
        var value = entry.Value ?? throw new InvalidOperationException("A resolution cache entry has no value");
        var output = new ArrayBufferWriter<byte>(256 + (value.Values?.Length ?? 0));
        var writer = new EntryWriter(output);
        writer.Byte(Marker);
        writer.Int64(entry.Timestamp);
        writer.Int64(entry.LogicalExpirationTimestamp);
        writer.Strings(entry.Tags);
        WriteMetadata(ref writer, entry.Metadata);
        writer.Int32((int)value.Code);
        writer.Int64(value.Version);
        writer.String(value.Handle);
        writer.Bytes(value.Values);
        writer.Strings(value.Aliases);
        return output.WrittenSpan.ToArray();
    }

    internal static FusionCacheDistributedEntry<CachedResolution> Read(byte[] data)
    {
        var reader = new EntryReader(data);
        if (reader.Byte() != Marker)
        {
            throw new FormatException("Not a resolution cache entry");
        }

        var timestamp = reader.Int64();
        var logicalExpiration = reader.Int64();
        var tags = reader.Strings();
        var metadata = ReadMetadata(ref reader);
        var code = (ResponseCode)reader.Int32();
        var version = reader.Int64();
        var handle = reader.String() ?? throw new FormatException("A resolution cache entry has no handle");
        var values = reader.Bytes();
        var aliases = reader.Strings();
        reader.End();
        // Fail-safe entries carry metadata; an entry cached without it (a read that may have raced a write) is never stale.
        var entry = new CachedResolution(code, handle, version, values, aliases) { FreshUntilUtcTicks = logicalExpiration, MayServeStale = metadata is not null };
        return new FusionCacheDistributedEntry<CachedResolution>(entry, timestamp, logicalExpiration, tags, metadata);
    }

    private static void WriteMetadata(ref EntryWriter writer, FusionCacheEntryMetadata? metadata)
    {
        writer.Byte(metadata is null ? (byte)0 : (byte)1);
        if (metadata is null)
        {
            return;
        }

        writer.Byte(metadata.IsStale ? (byte)1 : (byte)0);
        writer.OptionalInt64(metadata.EagerExpirationTimestamp);
        writer.String(metadata.ETag);
        writer.OptionalInt64(metadata.LastModifiedTimestamp);
        writer.OptionalInt64(metadata.Size);
        writer.Byte(metadata.Priority is null ? (byte)0 : (byte)1);
        writer.Byte(metadata.Priority ?? 0);
    }

    private static FusionCacheEntryMetadata? ReadMetadata(ref EntryReader reader)
    {
        if (reader.Byte() == 0)
        {
            return null;
        }

        var isStale = reader.Byte() != 0;
        var eagerExpiration = reader.OptionalInt64();
        var etag = reader.String();
        var lastModified = reader.OptionalInt64();
        var size = reader.OptionalInt64();
        var hasPriority = reader.Byte() != 0;
        var priority = reader.Byte();
        return new FusionCacheEntryMetadata(isStale, eagerExpiration, etag, lastModified, size, hasPriority ? priority : null);
    }

    /// <summary>Little-endian numbers; strings and byte arrays with an Int32 length, -1 for null.</summary>
    private ref struct EntryWriter(ArrayBufferWriter<byte> output)
    {
        public readonly void Byte(byte value)
        {
            output.GetSpan(1)[0] = value;
            output.Advance(1);
        }

        public readonly void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
            output.Advance(4);
        }

        public readonly void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
            output.Advance(8);
        }

        public readonly void OptionalInt64(long? value)
        {
            Byte(value is null ? (byte)0 : (byte)1);
            Int64(value ?? 0);
        }

        public readonly void String(string? value)
        {
            if (value is null)
            {
                Int32(-1);
                return;
            }

            var length = Encoding.UTF8.GetByteCount(value);
            Int32(length);
            Encoding.UTF8.GetBytes(value, output.GetSpan(length));
            output.Advance(length);
        }

        public readonly void Bytes(byte[]? value)
        {
            Int32(value?.Length ?? -1);
            output.Write(value);
        }

        public readonly void Strings(string[]? values)
        {
            Int32(values?.Length ?? -1);
            foreach (var value in values ?? [])
            {
                String(value);
            }
        }
    }

    /// <summary>Reads what <see cref="EntryWriter"/> wrote; a short or malformed entry is a <see cref="FormatException"/>.</summary>
    private ref struct EntryReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public byte Byte() => Take(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public long? OptionalInt64()
        {
            var present = Byte() != 0;
            var value = Int64();
            return present ? value : null;
        }

        public string? String() => Length() is var length && length < 0 ? null : Encoding.UTF8.GetString(Take(length));

        public byte[]? Bytes() => Length() is var length && length < 0 ? null : Take(length).ToArray();

        public string[]? Strings()
        {
            var count = Length();
            if (count < 0)
            {
                return null;
            }

            // Each string takes at least its 4-byte length: a count larger than that is a damaged entry.
            var strings = new string[count <= _rest.Length / 4 ? count : throw Damaged()];
            for (var i = 0; i < strings.Length; i++)
            {
                strings[i] = String() ?? throw Damaged();
            }

            return strings;
        }

        public readonly void End()
        {
            if (!_rest.IsEmpty)
            {
                throw Damaged();
            }
        }

        private int Length() => Int32() is var length && length >= -1 ? length : throw Damaged();

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length > _rest.Length)
            {
                throw Damaged();
            }

            var taken = _rest[..length];
            _rest = _rest[length..];
            return taken;
        }

        private static FormatException Damaged() => new("A resolution cache entry is cut short or damaged");
    }
}

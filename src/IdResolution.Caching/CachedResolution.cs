using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using IdResolution.Contracts;
using IdResolution.Core;
using IdResolution.Core.Json;
using IdResolution.Core.Values;
using V1 = IdResolution.Contracts.V1;

namespace IdResolution.Caching;

/// <summary>Which layer answered a lookup.</summary>
public enum CacheLayer
{
    Memory,
    Redis,
    Registry,

    /// <summary>Another site, asked on the caller's behalf (recursive resolution).</summary>
    Remote,
}

/// <summary>
/// A resolve answer as cached: found (with the encoded values, the same bytes the registry stores) or a
/// negative answer (100 not found, 301 not served). The answers most requests need — the public record
/// as Handle JSON and as a gRPC message — are built once per entry and then reused as they are.
/// The public properties are what travels to Redis; the rest is derived.
/// </summary>
public sealed class CachedResolution
{
    private readonly bool _allPublic;
    private byte[]? _publicJson;
    private Task<V1.ResolveResponse>? _publicResponse;
    private byte[]? _encodedPublicResult;
    private int _unreportedOrigin;
    private int _answersBuilt;

    /// <summary>
    /// The values as decoded when the entry was made, for its first answer only (an entry is made to answer): the
    /// answers built after it decode their own, so that a cached entry holds its values encoded.
    /// </summary>
    private HandleValue[]? _decodedForFirstUse;

    [JsonConstructor]
    public CachedResolution(ResponseCode code, string handle, long version, byte[]? values, string[]? aliases = null)
        : this(code, handle, version, values, values is null ? [] : HandleValueCodec.Decode(values), aliases)
    {
    }

    private CachedResolution(ResponseCode code, string handle, long version, byte[]? values, HandleValue[] decoded, string[]? aliases)
    {
        Code = code;
        Handle = handle;
        Version = version;
        Values = values;
        Aliases = aliases is { Length: > 0 } ? aliases : null;
        _unreportedOrigin = (int)CacheLayer.Redis + 1; // made by deserialising an L2 entry
        _allPublic = values is not null && AllValuesPublic(decoded);
        AliasTarget = values is null ? null : AliasRules.StoredTargetKey(decoded);
        _decodedForFirstUse = values is null ? null : decoded;
    }

    public ResponseCode Code { get; }

    /// <summary>
    /// Until when (UTC ticks) the cache that made this answer lets it be served as fresh; 0 when not known. Set when it
    /// is cached after a registry read, or read back from Redis with FusionCache's envelope.
    /// </summary>
    [JsonIgnore]
    internal long FreshUntilUtcTicks { get; set; }

    /// <summary>Whether it may be served past <see cref="FreshUntilUtcTicks"/> while the registry is unavailable.</summary>
    [JsonIgnore]
    internal bool MayServeStale { get; set; }

    public string Handle { get; }

    public long Version { get; }

    /// <summary>The RFC 3652 value list; null for negative answers.</summary>
    public byte[]? Values { get; }

    /// <summary>The record's other names (aliases naming it); null when it has none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? Aliases { get; }

    /// <summary>For an alias record, the key of the record it names: resolving the alias answers with that record.</summary>
    [JsonIgnore]
    public string? AliasTarget { get; }

    /// <summary>The aliases, or an empty list.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> AliasList => Aliases ?? [];

    [JsonIgnore]
    public bool Found => Code == ResponseCode.Success;

    /// <summary>
    /// The decoded record; null for negative answers. Decoded on each use (the first takes the values decoded when
    /// the entry was made) and not kept: a million cached records must fit in memory, and only filtered or privileged
    /// requests need it.
    /// </summary>
    [JsonIgnore]
    public HandleRecord? Record =>
        Values is null ? null : new HandleRecord(Handle, Version, Interlocked.Exchange(ref _decodedForFirstUse, null) ?? HandleValueCodec.Decode(Values)) { Aliases = AliasList };

    /// <summary>
    /// The values, for working out how long the entry may be cached: those decoded when it was made, left for its first
    /// answer (only read here), or decoded again once that answer took them.
    /// </summary>
    internal IReadOnlyList<HandleValue> ValuesForLifetime() =>
        Volatile.Read(ref _decodedForFirstUse) ?? (Values is null ? [] : HandleValueCodec.Decode(Values));

    /// <summary>True when every value is publicly readable, so the public forms are the whole record.</summary>
    [JsonIgnore]
    public bool AllPublic => _allPublic;

    /// <summary>The Handle JSON answer for an anonymous, unfiltered resolve (kept once the entry proves hot).</summary>
    [JsonIgnore]
    public byte[] PublicJson => _publicJson ?? Keep(ref _publicJson, BuildPublicJson());

    /// <summary>
    /// The gRPC answer for an anonymous, unfiltered resolve, as a completed task so that a gRPC hit returns without
    /// allocating. It is the answer's bytes alone (<see cref="PreEncodedMessages.Encoded"/>), encoded once instead of
    /// by the marshaller: for the server to send, with no fields to read.
    /// </summary>
    [JsonIgnore]
    public Task<V1.ResolveResponse> PublicResponseTask =>
        _publicResponse ?? Keep(ref _publicResponse, Task.FromResult(PreEncodedMessages.Encoded(BuildPublicResponse())));

    /// <summary>The same answer as one result of a BatchResolve, encoded. Shared by calls: never modify it.</summary>
    [JsonIgnore]
    public byte[] EncodedPublicResult => _encodedPublicResult ?? Keep(ref _encodedPublicResult, BuildPublicResult().ToByteArray());

    /// <param name="record">The record as read.</param>
    /// <param name="key">The normalised handle; shared with the entry when it is the same text, to hold one string, not two.</param>
    public static CachedResolution FromRegistry(HandleRecord record, string key) =>
        new(ResponseCode.Success, record.Handle == key ? key : record.Handle, record.Version, HandleValueCodec.Encode(record.Values), [.. record.Values], [.. record.Aliases])
        {
            _unreportedOrigin = (int)CacheLayer.Registry + 1,
        };

    /// <summary>An answer another site gave: the values it sent, or its negative code.</summary>
    public static CachedResolution FromRemote(ResponseCode code, string handle, IReadOnlyList<HandleValue> values) =>
        code == ResponseCode.Success
            ? new(code, handle, 0, HandleValueCodec.Encode(values), [.. values], null) { _unreportedOrigin = (int)CacheLayer.Remote + 1 }
            : new(code, handle, 0, null) { _unreportedOrigin = (int)CacheLayer.Remote + 1 };

    public static CachedResolution Negative(ResponseCode code, string handle) =>
        new(code, handle, 0, null) { _unreportedOrigin = (int)CacheLayer.Registry + 1 };

    /// <summary>The layer that produced this entry the first time it is asked; the memory cache every time after.</summary>
    public CacheLayer TakeOrigin()
    {
        if (Volatile.Read(ref _unreportedOrigin) == 0)
        {
            return CacheLayer.Memory;
        }

        var origin = Interlocked.Exchange(ref _unreportedOrigin, 0);
        return origin == 0 ? CacheLayer.Memory : (CacheLayer)(origin - 1);
    }

    /// <summary>
    /// Bytes this entry may hold in memory, for the L1 budget: the caches' bookkeeping and key, the handle,
    /// the encoded values, and the pre-built answers: JSON (up to 6 bytes per data byte when escaped), the encoded
    /// Resolve answer and the encoded BatchResolve result.
    /// </summary>
    public long EstimatedBytes() => 700 + (Handle.Length * 4) + (Aliases is null ? 0 : Aliases.Sum(a => 40 + (a.Length * 6))) + ((Values?.Length ?? 0) * 8L);

    /// <summary>
    /// Keeps a built answer from the second one on: an entry asked for once (a sweep, a batch over a million
    /// names) stays small, a hot one answers from pre-built bytes.
    /// </summary>
    private T Keep<T>(ref T? slot, T built)
        where T : class =>
        Interlocked.Increment(ref _answersBuilt) < 2 ? built : Interlocked.CompareExchange(ref slot, built, null) ?? built;

    private static bool AllValuesPublic(HandleValue[] values) => ReferenceEquals(ValueVisibility.PublicOnly(values), values);

    private byte[] BuildPublicJson()
    {
        var scratch = _threadJsonScratch ??= new JsonScratch();
        var json = scratch.Write(Handle, ValueVisibility.PublicOnly(Record!.Values), AliasList);
        if (scratch.Oversized)
        {
            _threadJsonScratch = null;
        }

        return json;
    }

    /// <summary>
    /// A writer and buffer each thread reuses to build JSON answers: a fresh buffer grows by doubling (the writer asks
    /// for room for the worst-case escaping of each string), which cost several kilobytes per answer from Redis or
    /// the registry. The answer itself is copied out at its exact size.
    /// </summary>
    [ThreadStatic]
    private static JsonScratch? _threadJsonScratch;

    private sealed class JsonScratch
    {
        private const int KeptCapacity = 64 * 1024;
        private readonly ArrayBufferWriter<byte> _buffer = new(8 * 1024);
        private readonly Utf8JsonWriter _writer;

        public JsonScratch() => _writer = new Utf8JsonWriter(_buffer, HandleJsonWriter.Options);

        /// <summary>A very large record's buffer is not kept for the thread's later answers.</summary>
        public bool Oversized => _buffer.Capacity > KeptCapacity;

        public byte[] Write(string handle, IReadOnlyList<HandleValue> values, IReadOnlyList<string> aliases)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            HandleJsonWriter.WriteRecord(_writer, handle, values, aliases);
            _writer.Flush();
            return _buffer.WrittenSpan.ToArray();
        }
    }

    private V1.ResolveResult BuildPublicResult()
    {
        var result = new V1.ResolveResult { Handle = Handle, ResponseCode = (uint)ResponseCode.Success };
        ProtoValues.AddTo(result.Values, ValueVisibility.PublicOnly(Record!.Values));
        result.Aliases.Add(AliasList);
        return result;
    }

    private V1.ResolveResponse BuildPublicResponse()
    {
        var response = new V1.ResolveResponse { Handle = Handle, ResponseCode = (uint)ResponseCode.Success };
        ProtoValues.AddTo(response.Values, ValueVisibility.PublicOnly(Record!.Values));
        response.Aliases.Add(AliasList);
        return response;
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using IdResolution.Caching;
using IdResolution.Core;
using IdResolution.Core.Values;
using IdResolution.Server.Tests.Infrastructure;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion.Internals;
using ZiggyCreatures.Caching.Fusion.Internals.Distributed;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace IdResolution.Server.Tests.Caching;

/// <summary>Resolution cache entries as they travel to and from Redis.</summary>
public sealed class ResolutionEntrySerializerTests
{
    private const string Prefix = "88.118.8.1001";
    private readonly ResolutionEntrySerializer _serializer = new();

    [Fact]
    public void AFoundEntry_RoundTrips_WithItsEnvelope()
    {
        var record = new HandleRecord($"{Prefix}/A", 7, [Url(1, "https://a.example/€"), new HandleValue(2, "EMAIL", Encoding.UTF8.GetBytes("q@a.example"))])
        {
            Aliases = [$"{Prefix}/ALIAS-1", $"{Prefix}/ALIAS-2"],
        };
        var entry = new FusionCacheDistributedEntry<CachedResolution>(
            CachedResolution.FromRegistry(record, record.Handle), 638_000_000_000_000_001, 638_000_000_000_000_999, ["negative", "other"],
            new FusionCacheEntryMetadata(true, 638_000_000_000_000_500, "etag-1", 638_000_000_000_000_002, 4321, 3));

        var bytes = _serializer.Serialize(entry);
        var read = _serializer.Deserialize<FusionCacheDistributedEntry<CachedResolution>>(bytes)!;

        Assert.Equal(0xB1, bytes[0]);
        AssertSameEnvelope(entry, read);
        AssertSameAnswer(entry.Value, read.Value);
    }

    [Fact]
    public void ANegativeEntry_WithoutMetadataOrTags_RoundTrips()
    {
        var entry = new FusionCacheDistributedEntry<CachedResolution>(
            CachedResolution.Negative(ResponseCode.HandleNotFound, $"{Prefix}/MISSING"), 5, 6, null, null);

        var read = _serializer.Deserialize<FusionCacheDistributedEntry<CachedResolution>>(_serializer.Serialize(entry))!;

        AssertSameEnvelope(entry, read);
        Assert.Equal(ResponseCode.HandleNotFound, read.Value.Code);
        Assert.Null(read.Value.Values);
        Assert.False(read.Value.Found);
    }

    [Fact]
    public void AnEntryWrittenAsJson_ByEarlierBuilds_IsRead()
    {
        var record = new HandleRecord($"{Prefix}/OLD", 3, [Url(1, "https://old.example")]) { Aliases = [$"{Prefix}/OLD-ALIAS"] };
        var entry = new FusionCacheDistributedEntry<CachedResolution>(
            CachedResolution.FromRegistry(record, record.Handle), 10, 20, ["negative"], new FusionCacheEntryMetadata(false, null, null, null, 99, null));

        var read = _serializer.Deserialize<FusionCacheDistributedEntry<CachedResolution>>(new FusionCacheSystemTextJsonSerializer().Serialize(entry))!;

        AssertSameEnvelope(entry, read);
        AssertSameAnswer(entry.Value, read.Value);
    }

    [Fact]
    public void OtherValues_GoThroughJson()
    {
        var marker = new FusionCacheDistributedEntry<long>(42, 1, 2, null, null);

        var bytes = _serializer.Serialize(marker);
        var read = _serializer.Deserialize<FusionCacheDistributedEntry<long>>(bytes)!;

        Assert.Equal((byte)'{', bytes[0]);
        Assert.Equal(42, read.Value);
        Assert.Equal(2, read.LogicalExpirationTimestamp);
    }

    [Fact]
    public void AnEntryCutShortOrDamaged_IsAFormatError()
    {
        var record = new HandleRecord($"{Prefix}/CUT", 1, [Url(1, "https://cut.example")]) { Aliases = [$"{Prefix}/CUT-ALIAS"] };
        var bytes = _serializer.Serialize(new FusionCacheDistributedEntry<CachedResolution>(
            CachedResolution.FromRegistry(record, record.Handle), 1, 2, ["t"], new FusionCacheEntryMetadata(false, 3, "e", 4, 5, 6)));

        for (var length = 1; length < bytes.Length; length++)
        {
            Assert.Throws<FormatException>(() => _serializer.Deserialize<FusionCacheDistributedEntry<CachedResolution>>(bytes[..length]));
        }

        Assert.Throws<FormatException>(() => _serializer.Deserialize<FusionCacheDistributedEntry<CachedResolution>>([.. bytes, 0]));
        var hugeTagCount = bytes.ToArray();
        BitConverter.TryWriteBytes(hugeTagCount.AsSpan(17), int.MaxValue);
        Assert.Throws<FormatException>(() => _serializer.Deserialize<FusionCacheDistributedEntry<CachedResolution>>(hugeTagCount));
    }

    [Fact]
    public void EveryPropertyOfFusionCachesEnvelope_IsCarried()
    {
        // The binary form writes these by name: a FusionCache upgrade that adds one must add it there too.
        Assert.Equal(
            ["LogicalExpirationTimestamp", "Metadata", "Tags", "Timestamp", "Value"],
            typeof(FusionCacheDistributedEntry<CachedResolution>).GetProperties().Select(p => p.Name).Order());
        Assert.Equal(
            ["ETag", "EagerExpirationTimestamp", "IsStale", "LastModifiedTimestamp", "Priority", "Size"],
            typeof(FusionCacheEntryMetadata).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ThroughTheNode_EntriesGoToRedisInBinary_AndOnesItCannotRead_AreLoadedAgain()
    {
        await using var database = new TestDatabase();
        await database.CreateAsync();
        var settings = database.NodeSettings();
        settings["Seeds:Load"] = "false";
        settings["Cache:Memory"] = "false";
        await using var node = await NodeServer.StartAsync(settings);
        (await node.SendAsync(HttpMethod.Post, $"/api/prefixes/{Prefix}")).EnsureSuccessStatusCode();
        var handle = $"{Prefix}/BIN-{Guid.NewGuid():N}";
        (await node.SendAsync(HttpMethod.Put, $"/api/handles/{handle}", """[{"index":1,"type":"URL","data":"https://bin.example"}]""")).EnsureSuccessStatusCode();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestDatabase.RedisConfiguration);
        var key = (RedisKey)$"{database.Name}:v2:{handle}";

        Assert.Equal("https://bin.example", await ResolvedUrlAsync(node, handle));
        var stored = (byte[]?)await redis.GetDatabase().StringGetAsync(key);
        Assert.Equal(0xB1, stored![0]);

        await redis.GetDatabase().StringSetAsync(key, new byte[] { 0xB1, 1, 2 });
        Assert.Equal("https://bin.example", await ResolvedUrlAsync(node, handle));
        Assert.Equal(stored.Length, ((byte[]?)await redis.GetDatabase().StringGetAsync(key))!.Length);

        // An entry an earlier build wrote as JSON is answered from Redis as it is.
        var old = new FusionCacheDistributedEntry<CachedResolution>(
            CachedResolution.FromRegistry(new HandleRecord(handle, 1, [Url(1, "https://from-redis.example")]), handle),
            DateTimeOffset.UtcNow.UtcTicks, DateTimeOffset.UtcNow.AddMinutes(5).UtcTicks, null, new FusionCacheEntryMetadata(false, null, null, null, null, null));
        await redis.GetDatabase().StringSetAsync(key, new FusionCacheSystemTextJsonSerializer().Serialize(old));
        Assert.Equal("https://from-redis.example", await ResolvedUrlAsync(node, handle));
    }

    private static async Task<string?> ResolvedUrlAsync(NodeServer node, string handle)
    {
        using var response = await node.Http.GetAsync($"/api/handles/{handle}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString();
    }

    private static HandleValue Url(int index, string url) => new(index, "URL", Encoding.UTF8.GetBytes(url)) { Timestamp = 1_767_225_600 };

    private static void AssertSameEnvelope<T>(FusionCacheDistributedEntry<T> expected, FusionCacheDistributedEntry<T> actual)
    {
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.LogicalExpirationTimestamp, actual.LogicalExpirationTimestamp);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Metadata is null, actual.Metadata is null);
        if (expected.Metadata is { } metadata)
        {
            Assert.Equal(metadata.IsStale, actual.Metadata!.IsStale);
            Assert.Equal(metadata.EagerExpirationTimestamp, actual.Metadata.EagerExpirationTimestamp);
            Assert.Equal(metadata.ETag, actual.Metadata.ETag);
            Assert.Equal(metadata.LastModifiedTimestamp, actual.Metadata.LastModifiedTimestamp);
            Assert.Equal(metadata.Size, actual.Metadata.Size);
            Assert.Equal(metadata.Priority, actual.Metadata.Priority);
        }
    }

    private static void AssertSameAnswer(CachedResolution expected, CachedResolution actual)
    {
        Assert.Equal(expected.Code, actual.Code);
        Assert.Equal(expected.Handle, actual.Handle);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.Values, actual.Values);
        Assert.Equal(expected.Aliases, actual.Aliases);
        Assert.Equal(expected.PublicJson, actual.PublicJson);
    }
}

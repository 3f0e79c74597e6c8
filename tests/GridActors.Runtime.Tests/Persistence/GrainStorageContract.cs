using System.Text;
using GridActors.Runtime.Persistence;
using GridActors.Runtime.Redis;
using GridActors.Runtime.Tests.Redis;
using GridActors.Testing;

namespace GridActors.Runtime.Tests.Persistence;

/// <summary>What every grain storage must do; run against each provider.</summary>
public abstract class GrainStorageContract
{
    private static readonly GrainId Grain = new("probe", "a/1");

    protected abstract IGrainStorage Storage { get; }

    [Fact]
    public async Task Write_ThenRead_ReturnsTheDataAndItsETag()
    {
        Assert.Null(await Storage.ReadAsync("counter", Grain));

        var etag = await Storage.WriteAsync("counter", Grain, Encoding.UTF8.GetBytes("{\"Count\":1}"), expectedEtag: null);

        var stored = await Storage.ReadAsync("counter", Grain);
        Assert.Equal("{\"Count\":1}", Encoding.UTF8.GetString(stored!.Data.Span));
        Assert.Equal(etag, stored.Etag);
    }

    [Fact]
    public async Task Write_WithAStaleETag_IsRefused_AndKeepsTheStoredData()
    {
        var first = await Storage.WriteAsync("counter", Grain, "1"u8.ToArray(), expectedEtag: null);
        var second = await Storage.WriteAsync("counter", Grain, "2"u8.ToArray(), first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync("counter", Grain, "3"u8.ToArray(), first));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteAsync("counter", Grain, "3"u8.ToArray(), expectedEtag: null));

        var stored = await Storage.ReadAsync("counter", Grain);
        Assert.Equal(("2", second), (Encoding.UTF8.GetString(stored!.Data.Span), stored.Etag));
    }

    [Fact]
    public async Task Clear_NeedsTheCurrentETag()
    {
        var etag = await Storage.WriteAsync("counter", Grain, "1"u8.ToArray(), expectedEtag: null);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearAsync("counter", Grain, "stale"));
        await Storage.ClearAsync("counter", Grain, etag);

        Assert.Null(await Storage.ReadAsync("counter", Grain));
    }

    [Fact]
    public async Task States_OfOneGrain_AreKeptApart()
    {
        await Storage.WriteAsync("one", Grain, "1"u8.ToArray(), expectedEtag: null);
        await Storage.WriteAsync("two", Grain, "2"u8.ToArray(), expectedEtag: null);

        Assert.Equal("1", Encoding.UTF8.GetString((await Storage.ReadAsync("one", Grain))!.Data.Span));
        Assert.Equal("2", Encoding.UTF8.GetString((await Storage.ReadAsync("two", Grain))!.Data.Span));
    }
}

public sealed class InMemoryGrainStorageTests : GrainStorageContract
{
    protected override IGrainStorage Storage { get; } = new InMemoryGrainStorage();
}

[Collection(RedisCollection.Name)]
public sealed class RedisGrainStorageTests(RedisServer redis) : GrainStorageContract
{
    protected override IGrainStorage Storage { get; } = new RedisGrainStorage(RedisCollection.Connect(redis));
}

using GridActors.Runtime.Messaging;

namespace GridActors.Runtime.Tests.Messaging;

public class LocationCacheTests
{
    private static readonly SiloAddress A = new("10.0.0.1", 11111, 1);
    private static readonly SiloAddress B = new("10.0.0.2", 11111, 1);

    private static GrainId Job(int index) => new("job", $"t/{index}");

    [Fact]
    public void AMillionGrains_AreNeverHeldAtOnce()
    {
        var cache = new LocationCache(1000);

        for (var i = 0; i < 1_000_000; i++)
        {
            cache.Set(Job(i), A);
        }

        Assert.InRange(cache.Count, 1, 1000);
        Assert.True(cache.TryGet(Job(999_999), out var newest));
        Assert.Equal(A, newest);
        Assert.False(cache.TryGet(Job(0), out _));
    }

    [Fact]
    public void ALocationInUse_OutlivesTheTurnover()
    {
        var cache = new LocationCache(100);
        cache.Set(Job(-1), B);

        for (var i = 0; i < 1000; i++)
        {
            cache.Set(Job(i), A);
            Assert.True(cache.TryGet(Job(-1), out var silo), $"lost after {i} others");
            Assert.Equal(B, silo);
        }
    }

    [Fact]
    public void Remove_ForgetsOnlyTheSiloNamed()
    {
        var cache = new LocationCache(100);
        cache.Set(Job(1), A);

        cache.Remove(Job(1), B);
        Assert.True(cache.TryGet(Job(1), out _));

        cache.Remove(Job(1), A);
        Assert.False(cache.TryGet(Job(1), out _));
    }
}

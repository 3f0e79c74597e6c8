using GridActors.Grid;
using GridActors.Testing;

namespace GridActors.Grains.Tests.Tasks;

/// <summary>A volunteer's reputation, kept in the grid's Redis storage.</summary>
public sealed class ReputationGrainTests : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly RedisServer _redis;
    private GridTestCluster _grid = null!;

    public ReputationGrainTests(RedisServer redis) => _redis = redis;

    public async Task InitializeAsync() => _grid = await GridTestCluster.StartAsync(_redis, []);

    public async Task DisposeAsync() => await _grid.DisposeAsync();

    [Fact]
    public async Task Verdicts_CountInOrder_ADisagreementEndsTheRun_AndTheRecordOutlivesItsActivation()
    {
        var grain = _grid.Client.GetGrain<IReputationGrain>("browser-0a1b2c3d@vKEY");
        Assert.Equal(new Reputation("browser-0a1b2c3d@vKEY", 0, 0, 0, null), await grain.GetAsync());

        await grain.RecordAsync([true, true, false, true]);
        var after = await grain.RecordAsync([true]);
        Assert.Equal((4L, 1L, 2L), (after.Agreed, after.Disagreed, after.Streak));
        Assert.NotNull(after.LastDisagreed);
        Assert.True(after.IsTrusted(2));
        Assert.False(after.IsTrusted(3));

        // Every activation goes; the next one reads the record back from Redis.
        await _grid.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Eventually.True(() => _grid.SiloOf(grain) is null, "the reputation's activation is collected");
        Assert.Equal(after, await grain.GetAsync());
    }
}

using GridActors.Runtime.Redis;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace GridActors.Runtime.Tests.Redis;

/// <summary>A silo whose membership, reminders and grain state all live in a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSiloTests(RedisServer redis)
{
    private readonly string _cluster = "silo-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Silo_JoinsTheTableInRedis_AndLeavesItDead()
    {
        var silo = await StartAsync(new Probe());
        var table = new RedisMembershipTable(RedisCollection.Connect(redis, _cluster));

        Assert.Equal(SiloStatus.Active, (await table.ReadAllAsync()).Entries.Single().Entry.Status);
        await silo.DisposeAsync();

        Assert.Equal(SiloStatus.Dead, (await table.ReadAllAsync()).Entries.Single().Entry.Status);
    }

    [Fact]
    public async Task GrainState_OutlivesTheSilo()
    {
        await using (var first = await StartAsync(new Probe(), port: 1))
        {
            Assert.Equal(1, await first.Grains.GetGrain<IProbeGrain>("a").IncrementAsync());
        }

        await using var second = await StartAsync(new Probe(), port: 2);
        Assert.Equal(2, await second.Grains.GetGrain<IProbeGrain>("a").IncrementAsync());
    }

    [Fact]
    public async Task Reminder_StoredInRedis_Fires()
    {
        var probe = new Probe();
        await using var silo = await StartAsync(probe);
        await silo.Grains.GetGrain<IRemindedGrain>("r").StartAsync(periodSeconds: 3);
        var table = new RedisReminderTable(RedisCollection.Connect(redis, _cluster));
        Assert.NotNull(await table.ReadAsync(new GrainId("reminded", "r"), "tick"));

        // Polls are driven here: a timer tick while a Redis read is in flight would be skipped.
        var service = silo.Services.GetRequiredService<GridActors.Runtime.Reminders.ReminderService>();
        await service.DisposeAsync();
        silo.Time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(1, await service.PollAsync());
        Assert.True(await probe.Ticked.WaitAsync(Eventually.Limit));
    }

    [Fact]
    public async Task GrainState_SurvivesARestartOfRedis()
    {
        await using var silo = await StartAsync(new Probe());
        var grain = silo.Grains.GetGrain<IProbeGrain>("a");
        Assert.Equal(1, await grain.IncrementAsync());

        await redis.RestartAsync();

        // Calls made while the connection comes back fail; the state written before the restart is there.
        var count = 0;
        var deadline = DateTime.UtcNow + Eventually.Limit;
        while (count == 0)
        {
            try
            {
                count = await grain.IncrementAsync();
            }
            catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException && DateTime.UtcNow < deadline)
            {
                // Pacing between retries while the connection comes back; the outcome is asserted below.
                await Task.Delay(20);
            }
        }

        Assert.Equal(2, count);
    }

    [Fact]
    public async Task ADeathAnotherProcessWritesInRedis_IsInTheSilosView_AtOnce()
    {
        await using var silo = await StartAsync(new Probe());
        var membership = silo.Services.GetRequiredService<IClusterMembership>();
        var table = new RedisMembershipTable(RedisCollection.Connect(redis, _cluster));
        var peer = new SiloAddress("10.0.0.9", 11111, 1);
        var entry = new MembershipEntry(peer, "peer", SiloStatus.Active, silo.Time.GetUtcNow(), silo.Time.GetUtcNow(), [], SiloLoad.None);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        await Eventually.True(() => membership.Members.Any(m => m.Address == peer), "the peer's row is in the view");

        // The silo's clock stands still, so its periodic read never comes: the notice on Redis pub/sub tells it.
        var died = new TaskCompletionSource();
        membership.Changed += () => died.TrySetResult();
        var data = await table.ReadAllAsync();
        var etag = data.Entries.Single(e => e.Entry.Address == peer).ETag;
        Assert.True(await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, etag, data.Version.Next()));

        await Eventually.Within(died.Task);
        Assert.Equal(SiloStatus.Dead, membership.Members.Single(m => m.Address == peer).Status);
    }

    [Fact]
    public async Task SiloWhoseAddressIsAlreadyInTheTable_FailsToStartWithAClearMessage()
    {
        await using var first = await StartAsync(new Probe());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(new Probe()));

        Assert.Equal($"Silo {first.Services.GetRequiredService<SiloDetails>().Address} is already in the membership table. A silo restarted on the same host and port joins with a new epoch; give it a moment or another port.", error.Message);
    }

    // Test silos share a fake clock's start time, so their epochs match: the port tells them apart.
    private Task<TestSilo> StartAsync(Probe probe, int port = 0) =>
        RuntimeFixture.StartAsync(probe, services =>
        {
            services.Configure<SiloOptions>(o => o.Port = port);
            services.AddRedisProviders(o =>
            {
                o.Configuration = redis.Address;
                o.ClusterId = _cluster;
            });
        });
}

using GridActors.Runtime.Membership;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Runtime.Tests.Membership;

public class MembershipTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task InsertRow_WithAStaleVersion_IsRefused()
    {
        var table = new InMemoryMembershipTable();
        var a = Entry("a");
        var b = Entry("b");
        var start = await table.ReadAllAsync();

        Assert.True(await table.InsertRowAsync(a, start.Version.Next()));
        Assert.False(await table.InsertRowAsync(b, start.Version.Next()));

        var data = await table.ReadAllAsync();
        Assert.Equal(1, data.Version.Version);
        Assert.Equal([a.Address], data.Entries.Select(e => e.Entry.Address));
    }

    [Fact]
    public async Task UpdateIAmAlive_LeavesTheVersionAndETagAlone()
    {
        var table = new InMemoryMembershipTable();
        var entry = Entry("a");
        await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next());
        var before = await table.ReadAllAsync();

        var load = new SiloLoad(12, 1000, 1, 2, 4, 100);
        await table.UpdateIAmAliveAsync(entry.Address, Now.AddSeconds(3), load);

        var after = await table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Entries[0].ETag, after.Entries[0].ETag);
        Assert.Equal(load, after.Entries[0].Entry.Load);
        Assert.Equal(Now.AddSeconds(3), after.Entries[0].Entry.IAmAliveTime);
    }

    [Fact]
    public async Task Silo_JoinsActive_PublishesItsLoad_AndLeavesDead()
    {
        var workload = Substitute.For<ISiloWorkload>();
        workload.GetWorkload().Returns((3, 5, 4));
        var silo = await TestSilo.StartAsync(services => services.AddSingleton(workload));
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var membership = silo.Services.GetRequiredService<IClusterMembership>();

        var joined = Assert.Single((await table.ReadAllAsync()).Entries).Entry;
        Assert.Equal(SiloStatus.Active, joined.Status);
        Assert.Equal(joined.Address, Assert.Single(membership.Members).Address);

        silo.Time.Advance(TimeSpan.FromSeconds(1));
        var alive = Assert.Single((await table.ReadAllAsync()).Entries).Entry;
        Assert.Equal(silo.Time.GetUtcNow(), alive.IAmAliveTime);
        Assert.Equal((3, 5, 4), (alive.Load.RunningJobs, alive.Load.QueuedJobs, alive.Load.Capacity));

        await silo.DisposeAsync();
        Assert.Equal(SiloStatus.Dead, Assert.Single((await table.ReadAllAsync()).Entries).Entry.Status);
    }

    private static MembershipEntry Entry(string host) =>
        new(new SiloAddress(host, 11111, 1), host, SiloStatus.Active, Now, Now, [], SiloLoad.None);
}

using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Runtime.Tests.Membership;

public class MembershipTests
{
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
}

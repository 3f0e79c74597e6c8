using GridActors.Runtime.Reminders;

namespace GridActors.Runtime.Tests.Reminders;

public class ReminderTests
{
    [Fact]
    public async Task Reminder_FiresEachPeriod()
    {
        var probe = new Probe();
        await using var silo = await RuntimeFixture.StartAsync(probe);
        await silo.Grains.GetGrain<IRemindedGrain>("r").StartAsync(periodSeconds: 5);

        silo.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await probe.Ticked.WaitAsync(Testing.Eventually.Limit));
        silo.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await probe.Ticked.WaitAsync(Testing.Eventually.Limit));

        Assert.Equal(2, probe.Ticks.Count);
        Assert.Equal(TimeSpan.FromSeconds(5), probe.Ticks[1].CurrentTickTime - probe.Ticks[0].CurrentTickTime);
    }

    [Fact]
    public async Task Reminder_TicksMissedWhileNobodyFiredThem_FireOnce()
    {
        var table = new InMemoryReminderTable();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var id = new GrainId("reminded", "r");
        await table.UpsertAsync(new ReminderEntry(id, "tick", start, TimeSpan.FromSeconds(2), start, string.Empty));

        var due = await table.ReadDueAsync(0, uint.MaxValue, start.AddSeconds(9), 100);
        Assert.Single(due);

        // After an outage of several periods the service moves the reminder to its next tick after now.
        Assert.NotNull(await table.AdvanceAsync(due[0], start.AddSeconds(10)));
        Assert.Empty(await table.ReadDueAsync(0, uint.MaxValue, start.AddSeconds(9), 100));
        Assert.Single(await table.ReadDueAsync(0, uint.MaxValue, start.AddSeconds(10), 100));
    }

    [Fact]
    public async Task Reminder_AfterAnOutage_IsDeliveredOnceWithTheMissedTickTime()
    {
        var probe = new Probe();
        await using var silo = await RuntimeFixture.StartAsync(probe);
        await silo.Grains.GetGrain<IRemindedGrain>("r").StartAsync(periodSeconds: 2);
        var service = (ReminderService)silo.Services.GetService(typeof(ReminderService))!;
        await service.DisposeAsync();

        silo.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, await service.PollAsync());
        Assert.True(await probe.Ticked.WaitAsync(Testing.Eventually.Limit));
        Assert.Equal(0, await service.PollAsync());

        Assert.Single(probe.Ticks);
        Assert.Equal(silo.Time.GetUtcNow().AddSeconds(-7), probe.Ticks[0].CurrentTickTime);
    }

    [Fact]
    public async Task Unregister_StopsTheTicks()
    {
        var probe = new Probe();
        await using var silo = await RuntimeFixture.StartAsync(probe);
        var grain = silo.Grains.GetGrain<IRemindedGrain>("r");
        await grain.StartAsync(periodSeconds: 2);
        var table = (InMemoryReminderTable)silo.Services.GetService(typeof(IReminderTable))!;

        await grain.StopAsync();

        Assert.Equal(0, table.Count);
    }

    [Fact]
    public async Task Reminder_PeriodBelowTheMinimum_IsRefused()
    {
        await using var silo = await RuntimeFixture.StartAsync(new Probe());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => silo.Grains.GetGrain<IRemindedGrain>("r").StartAsync(periodSeconds: 0));
    }
}

using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Grains.Tests;

public class SchedulerGrainTests : IAsyncLifetime
{
    private static readonly SiloAddress SiloA = new("a", 1, 1);
    private static readonly SiloAddress SiloB = new("b", 1, 1);
    private readonly Collaborators _mocks = new();
    private readonly IClusterMembership _membership = Substitute.For<IClusterMembership>();
    private readonly Signal _ran = new();
    private TestSilo _silo = null!;

    private ISchedulerGrain Scheduler => _silo.Grains.GetGrain<ISchedulerGrain>("default");

    public async Task InitializeAsync()
    {
        _mocks.Volunteers.When(v => v.RunAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<JobTicket>>())).Do(_ => _ran.Raise());
        _silo = await TestSilo.StartAsync(services =>
        {
            services.AddSingleton(_mocks);
            services.AddSingleton(_membership);
            services.AddGrain<SchedulerGrain>();
            services.AddGrain<ForwardingVolunteer>();
        });
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Placement_FillsTheLowestLoadSiloFirst()
    {
        Members(Member(SiloA, running: 3, cpu: 20), Member(SiloB, running: 0, cpu: 20));
        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 2));
        await Scheduler.RequestWorkAsync(new WorkRequest("vb", SiloB, 2));

        await Scheduler.EnqueueAsync(Tickets(3));
        await _ran.WaitAsync(2);

        await _mocks.Volunteers.Received(1).RunAsync("vb", Arg.Is<IReadOnlyList<JobTicket>>(t => t.Select(x => x.Spec.Index).SequenceEqual(new long[] { 0, 1 })));
        await _mocks.Volunteers.Received(1).RunAsync("va", Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single().Spec.Index == 2));
    }

    [Fact]
    public async Task Placement_SkipsSilosAboveTheirCpuThreshold_AndSilosNotActive()
    {
        Members(Member(SiloA, running: 0, cpu: 90), Member(SiloB, running: 0, cpu: 10, SiloStatus.ShuttingDown));
        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 5));
        await Scheduler.RequestWorkAsync(new WorkRequest("vb", SiloB, 5));

        await Scheduler.EnqueueAsync(Tickets(2));

        Assert.Equal(2, (await Scheduler.GetStatusAsync()).Queued);
        Assert.True(await Scheduler.HoldsAsync("t/0", 1));
        await _mocks.Volunteers.DidNotReceiveWithAnyArgs().RunAsync(default!, default!);
    }

    [Fact]
    public async Task ASiloSilentForSeconds_GetsNoWork_BeforeItIsDeclaredDead()
    {
        Members(Member(SiloA, running: 0, cpu: 0, silentFor: TimeSpan.FromSeconds(3)), Member(SiloB, running: 3, cpu: 40));
        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 5));
        await Scheduler.RequestWorkAsync(new WorkRequest("vb", SiloB, 1));

        await Scheduler.EnqueueAsync(Tickets(2));
        await _ran.WaitAsync();

        await _mocks.Volunteers.Received(1).RunAsync("vb", Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single().Spec.Index == 0));
        await _mocks.Volunteers.DidNotReceive().RunAsync("va", Arg.Any<IReadOnlyList<JobTicket>>());
        Assert.True(await Scheduler.HoldsAsync("t/1", 1));
    }

    [Fact]
    public async Task ABatchThatCouldNotBeSent_IsQueuedAgain_AndItsVolunteerGetsNoMore()
    {
        Members(Member(SiloA, running: 0, cpu: 0));
        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 2));
        await Scheduler.EnqueueAsync(Tickets(2));
        await _ran.WaitAsync();
        Assert.Equal(0, (await Scheduler.GetStatusAsync()).Queued);

        await Scheduler.ReturnAsync("va", Tickets(2));

        var status = await Scheduler.GetStatusAsync();
        Assert.Equal((2, 0), (status.Queued, status.Credits["va"]));
        Assert.True(await Scheduler.HoldsAsync("t/0", 1));
    }

    [Fact]
    public async Task VolunteerThatJoinsLater_GetsQueuedWorkAtOnce()
    {
        Members(Member(SiloA, running: 0, cpu: 0));
        await Scheduler.EnqueueAsync(Tickets(3));
        Assert.Equal(3, (await Scheduler.GetStatusAsync()).Queued);

        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 10));
        await _ran.WaitAsync();

        await _mocks.Volunteers.Received(1).RunAsync("va", Arg.Is<IReadOnlyList<JobTicket>>(t => t.Count == 3));
        var status = await Scheduler.GetStatusAsync();
        Assert.Equal(0, status.Queued);
        Assert.Equal(7, status.Credits["va"]);
    }

    [Fact]
    public async Task AJobSentToAVolunteer_IsStillHeld_UntilTheVolunteerHasSurelyToldIt()
    {
        Members(Member(SiloA, running: 0, cpu: 0));
        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 1));
        await Scheduler.EnqueueAsync(Tickets(1));
        await _ran.WaitAsync();

        // The job may check its lease before the volunteer's word reaches it: it must not be reissued.
        Assert.True(await Scheduler.HoldsAsync("t/0", 1));
        Assert.False(await Scheduler.HoldsAsync("t/0", 2));

        _silo.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(await Scheduler.HoldsAsync("t/0", 1));
    }

    [Fact]
    public async Task AJobSentToAVolunteer_IsNoLongerHeld_OnceTheVolunteersSiloIsDead()
    {
        Members(Member(SiloA, running: 0, cpu: 0), Member(SiloB, running: 1, cpu: 0));
        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 1));
        await Scheduler.EnqueueAsync(Tickets(1));
        await _ran.WaitAsync();
        Assert.True(await Scheduler.HoldsAsync("t/0", 1));

        // The job's grain died with that silo and came back knowing nothing of its volunteer: it asks
        // here, and must be reissued now, not once the scheduler stops answering for the send.
        Members(Member(SiloA, running: 0, cpu: 0, SiloStatus.Dead), Member(SiloB, running: 1, cpu: 0));
        Assert.False(await Scheduler.HoldsAsync("t/0", 1));
    }

    [Fact]
    public async Task AbsoluteAnnouncement_ReplacesTheCreditsHeld()
    {
        Members(Member(SiloA, running: 0, cpu: 0));
        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 5));
        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 3));

        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 4, Absolute: true));

        Assert.Equal(4, (await Scheduler.GetStatusAsync()).Credits["va"]);
    }

    [Fact]
    public async Task SupersededAttempt_IsDroppedFromTheQueue()
    {
        Members(Member(SiloA, running: 0, cpu: 0));
        var spec = Tickets(1)[0].Spec;
        await Scheduler.EnqueueAsync([new JobTicket(spec, 1)]);
        await Scheduler.EnqueueAsync([new JobTicket(spec, 2)]);
        Assert.False(await Scheduler.HoldsAsync("t/0", 1));
        Assert.True(await Scheduler.HoldsAsync("t/0", 2));

        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 10));
        await _ran.WaitAsync();

        await _mocks.Volunteers.Received(1).RunAsync("va", Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single().Attempt == 2));
    }

    [Fact]
    public async Task Jobs_LeaveInInputOrder_RetriesFirst_WhateverOrderTheyArrived()
    {
        Members(Member(SiloA, running: 0, cpu: 0));
        var tickets = Tickets(4);
        await Scheduler.EnqueueAsync([tickets[3], tickets[1]]);
        await Scheduler.EnqueueAsync([tickets[0], tickets[2] with { Attempt = 2 }]);

        await Scheduler.RequestWorkAsync(new WorkRequest("va", SiloA, 10));
        await _ran.WaitAsync();

        await _mocks.Volunteers.Received(1).RunAsync("va", Arg.Is<IReadOnlyList<JobTicket>>(t => t.Select(x => x.Spec.Index).SequenceEqual(new long[] { 2, 0, 1, 3 })));
    }

    private static JobTicket[] Tickets(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new JobTicket(new JobSpec("t", i, i.ToString(System.Globalization.CultureInfo.InvariantCulture), "h", TimeSpan.FromSeconds(5), 3), 1))];

    private MembershipEntry Member(SiloAddress address, int running, double cpu, SiloStatus status = SiloStatus.Active, TimeSpan silentFor = default) =>
        new(address, address.Host, status, DateTimeOffset.UnixEpoch, _silo.Time.GetUtcNow() - silentFor, [], new SiloLoad(cpu, 0, running, 0, 4, 50));

    private void Members(params MembershipEntry[] members) => _membership.Members.Returns(members);
}

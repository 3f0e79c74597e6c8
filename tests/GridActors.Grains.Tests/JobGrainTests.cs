using GridActors.Grains.Storage;
using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Runtime.Persistence;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Grains.Tests;

public class JobGrainTests : IAsyncLifetime
{
    private readonly Collaborators _mocks = new();
    private readonly Signal _enqueued = new();
    private readonly Signal _reported = new();
    private readonly InMemoryTaskStore _store = new();
    private readonly InMemoryGrainStorage _storage = new();
    private readonly IClusterMembership _membership = Substitute.For<IClusterMembership>();
    private TestSilo _silo = null!;

    private static JobSpec Spec(int maxAttempts = 3) => new("t1", 7, "49", "hash", TimeSpan.FromSeconds(1), maxAttempts);

    private IJobGrain Job => _silo.Grains.GetGrain<IJobGrain>("t1/7");

    public async Task InitializeAsync()
    {
        _mocks.Scheduler.When(s => s.EnqueueAsync(Arg.Any<IReadOnlyList<JobTicket>>())).Do(_ => _enqueued.Raise());
        _mocks.Task.When(t => t.ReportAsync(Arg.Any<JobReport>())).Do(_ => _reported.Raise());
        _silo = await StartSiloAsync();
    }

    // Job state outlives a silo in the shared storage, as it does in Redis.
    private Task<TestSilo> StartSiloAsync() =>
        TestSilo.StartAsync(services =>
        {
            services.AddSingleton<IGrainStorage>(_storage);
            services.AddSingleton(_mocks);
            services.AddSingleton<ITaskStore>(_store);
            services.AddSingleton(_membership);
            services.AddSingleton<VolunteerWatch>();
            services.AddGrain<JobGrain>();
            services.AddGrain<ForwardingScheduler>();
            services.AddGrain<ForwardingTask>();
            services.AddGrain<ForwardingVolunteer>();
            services.AddSerializerContext(GrainsJsonContext.Default);
            services.AddOptions<GridOptions>();
        });

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Start_QueuesTheFirstAttempt_AndStartingAgainDoesNothing()
    {
        await Job.StartAsync(Spec());
        await Job.StartAsync(Spec());
        await _enqueued.WaitAsync();

        Assert.Equal(new JobStatus(JobState.Pending, 1, null, null), await Job.GetStatusAsync());
        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single() == new JobTicket(Spec(3), 1)));
    }

    [Fact]
    public async Task Complete_ReportsTheResultToTheTaskOnce()
    {
        await Job.StartAsync(Spec());
        await Job.AssignedAsync("v1", 1);

        await Job.CompleteAsync(new JobOutcome("t1/7", 1, "v1", "2401", null, JobErrorKind.Script));
        await Job.CompleteAsync(new JobOutcome("t1/7", 1, "v2", "2401", null, JobErrorKind.Script));
        await _reported.WaitAsync();
        await Job.GetStatusAsync();

        await _mocks.Task.Received(1).ReportAsync(Arg.Any<JobReport>());
        await _mocks.Task.Received(1).ReportAsync(new JobReport(7, "49", "2401", null, JobErrorKind.Script));
        Assert.Equal(new JobReport(7, "49", "2401", null, JobErrorKind.Script), (await _store.ReadResultsAsync("t1", 7, 1)).Single());
    }

    [Fact]
    public async Task AJobRunTwice_AfterItsSiloDied_DoesNotReportAgain()
    {
        // The first run stored its result; its silo died before the job forgot itself.
        await _store.AddResultAsync("t1", new JobReport(7, "49", "2401", null, JobErrorKind.Script));
        await Job.StartAsync(Spec());

        await Job.CompleteAsync(new JobOutcome("t1/7", 1, "v1", "2401", null, JobErrorKind.Script));

        // CompleteAsync returns once the job has taken the outcome: it has finished and forgotten itself.
        Assert.Equal(JobState.None, (await Job.GetStatusAsync()).State);
        await _mocks.Task.DidNotReceive().ReportAsync(Arg.Any<JobReport>());
    }

    [Fact]
    public async Task Timeout_IsRetried_UpToMaxAttempts_ThenFailsWithTheLastError()
    {
        await Job.StartAsync(Spec(maxAttempts: 2));
        await Job.CompleteAsync(new JobOutcome("t1/7", 1, "v1", null, "timed out after 1 s", JobErrorKind.Timeout));
        await _enqueued.WaitAsync(2);
        Assert.Equal(new JobStatus(JobState.Pending, 2, null, "timed out after 1 s"), await Job.GetStatusAsync());

        await Job.CompleteAsync(new JobOutcome("t1/7", 2, "v1", null, "timed out after 1 s", JobErrorKind.Timeout));
        await _reported.WaitAsync();

        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single().Attempt == 2));
        await _mocks.Task.Received(1).ReportAsync(new JobReport(7, "49", null, "timed out after 1 s (attempt 2 of 2)", JobErrorKind.Timeout));
    }

    [Fact]
    public async Task RetriesAndFailures_AreCounted()
    {
        using var metrics = new MeterRecorder(_silo.Services.GetRequiredService<GridActors.Runtime.Diagnostics.GridTelemetry>().Meter);
        await Job.StartAsync(Spec(maxAttempts: 2));
        await Job.CompleteAsync(new JobOutcome("t1/7", 1, "v1", null, "exceeded the 512 MiB memory limit", JobErrorKind.Memory));
        await Job.CompleteAsync(new JobOutcome("t1/7", 2, "v1", null, "exceeded the 512 MiB memory limit", JobErrorKind.Memory));
        await _reported.WaitAsync();

        Assert.Equal((1L, 1L, 0L), (metrics["gridactors.jobs.reissued"], metrics["gridactors.jobs.failed"], metrics["gridactors.jobs.completed"]));
    }

    [Fact]
    public async Task ScriptError_FailsAtOnce()
    {
        await Job.StartAsync(Spec());
        await Job.CompleteAsync(new JobOutcome("t1/7", 1, "v1", null, "Error: boom (line 2)", JobErrorKind.Script));
        await _reported.WaitAsync();

        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Any<IReadOnlyList<JobTicket>>());
        await _mocks.Task.Received(1).ReportAsync(new JobReport(7, "49", null, "Error: boom (line 2)", JobErrorKind.Script));
    }

    [Fact]
    public async Task FailureOfAnOldAttempt_IsIgnored()
    {
        await Job.StartAsync(Spec());
        await Job.CompleteAsync(new JobOutcome("t1/7", 1, "v1", null, "lost", JobErrorKind.Lost));
        await _enqueued.WaitAsync(2);

        await Job.CompleteAsync(new JobOutcome("t1/7", 1, "v1", null, "lost again", JobErrorKind.Lost));

        Assert.Equal(new JobStatus(JobState.Pending, 2, null, "lost"), await Job.GetStatusAsync());
    }

    [Fact]
    public async Task Reminder_ReissuesAJobItsVolunteerNoLongerHolds()
    {
        _mocks.Volunteers.HoldsAsync("v1", "t1/7", 1).Returns(false);
        await Job.StartAsync(Spec());
        await Job.AssignedAsync("v1", 1);
        Assert.Equal(JobState.Assigned, (await Job.GetStatusAsync()).State);

        _silo.Time.Advance(TimeSpan.FromSeconds(5));
        await _enqueued.WaitAsync(2);

        await _mocks.Volunteers.Received(1).HoldsAsync("v1", "t1/7", 1);
        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single() == new JobTicket(Spec(3), 2)));
        Assert.Equal(new JobStatus(JobState.Pending, 2, null, "lost: volunteer v1 no longer held attempt 1"), await Job.GetStatusAsync());
    }

    [Fact]
    public async Task AJobWithAVolunteerWhoseSiloIsDeclaredDead_IsReissuedAtOnce()
    {
        var volunteer = new SiloAddress("10.0.0.2", 11111, 5);
        _membership.Members.Returns([new MembershipEntry(volunteer, "b", SiloStatus.Active, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], SiloLoad.None)]);
        await Job.StartAsync(Spec());
        await Job.AssignedAsync(volunteer.ToString(), 1);
        await Job.GetStatusAsync();
        var watch = _silo.Services.GetRequiredService<VolunteerWatch>();
        Assert.Equal(0, watch.Check());

        _membership.Members.Returns([new MembershipEntry(volunteer, "b", SiloStatus.Dead, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], SiloLoad.None)]);

        Assert.Equal(1, watch.Check());
        await _enqueued.WaitAsync(2);
        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single() == new JobTicket(Spec(3), 2)));
        Assert.Equal(0, watch.Check());
    }

    [Fact]
    public async Task AQueuedJob_ChecksItsLeaseAtOnce_WhenASiloIsDeclaredDead()
    {
        var silo = new SiloAddress("10.0.0.3", 11111, 5);
        _membership.Members.Returns([new MembershipEntry(silo, "c", SiloStatus.Active, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], SiloLoad.None)]);
        await Job.StartAsync(Spec());
        await Job.GetStatusAsync();
        var watch = _silo.Services.GetRequiredService<VolunteerWatch>();
        Assert.Equal(0, watch.Check());

        // The silo that died held the scheduler: its next activation has an empty queue.
        _mocks.Scheduler.HoldsAsync("t1/7", 1).Returns(false);
        _membership.Members.Returns([new MembershipEntry(silo, "c", SiloStatus.Dead, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], SiloLoad.None)]);

        Assert.Equal(1, watch.Check());
        await _enqueued.WaitAsync(2);
        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single() == new JobTicket(Spec(3), 2)));

        // The same death is not acted on twice.
        Assert.Equal(0, watch.Check());
    }

    [Fact]
    public async Task AJobWhoseGrainDied_AsksTheVolunteerItWasSentTo_AndIsReissuedAtOnce_IfItsOutcomeDiedWithTheGrain()
    {
        await Job.StartAsync(Spec());
        await _enqueued.WaitAsync();
        await _silo.DisposeAsync();

        // Attempt 1 went to v1 lately, so the scheduler still answers for it; but v1 ran it and its
        // outcome went to the grain that died. v1 no longer holds it: only v1 can say so.
        _mocks.Scheduler.HoldsAsync("t1/7", 1).Returns(true);
        _mocks.Scheduler.SentToAsync("t1/7", 1).Returns("v1");
        _mocks.Volunteers.HoldsAsync("v1", "t1/7", 1).Returns(false);
        _silo = await StartSiloAsync();

        // The task restarts its unfinished jobs when it comes back.
        await Job.StartAsync(Spec());

        await _enqueued.WaitAsync();
        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Is<IReadOnlyList<JobTicket>>(t => t.Single() == new JobTicket(Spec(3), 2)));
        Assert.Equal(new JobStatus(JobState.Pending, 2, null, "lost: volunteer v1 no longer held attempt 1"), await Job.GetStatusAsync());
    }

    [Fact]
    public async Task AJobWhoseGrainDied_StaysWithTheVolunteerItWasSentTo_WhileThatStillHoldsIt()
    {
        await Job.StartAsync(Spec());
        await _enqueued.WaitAsync();
        await _silo.DisposeAsync();
        _mocks.Scheduler.SentToAsync("t1/7", 1).Returns("v1");
        _mocks.Volunteers.HoldsAsync("v1", "t1/7", 1).Returns(true);
        _silo = await StartSiloAsync();

        await Job.StartAsync(Spec());

        Assert.Equal(new JobStatus(JobState.Assigned, 1, "v1", null), await Job.GetStatusAsync());
        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Any<IReadOnlyList<JobTicket>>());
    }

    [Fact]
    public async Task AJobTheGridLosesAgainAndAgain_IsReissuedEachTime_WithoutUsingUpItsAttempts()
    {
        _mocks.Scheduler.HoldsAsync("t1/7", Arg.Any<int>()).Returns(false);
        await Job.StartAsync(Spec(maxAttempts: 2));
        await _enqueued.WaitAsync();

        // Each lease check finds the scheduler without it, four times: twice the job's MaxAttempts.
        for (var check = 0; check < 4; check++)
        {
            _silo.Time.Advance(TimeSpan.FromSeconds(5));
            await _enqueued.WaitAsync();
        }

        var status = await Job.GetStatusAsync();
        Assert.Equal((JobState.Pending, 5), (status.State, status.Attempt));
        await _mocks.Task.DidNotReceive().ReportAsync(Arg.Any<JobReport>());
    }

    [Fact]
    public async Task Reminder_LeavesAJobItsHolderStillHas()
    {
        var asked = new Signal();
        _mocks.Scheduler.HoldsAsync("t1/7", 1).Returns(true).AndDoes(_ => asked.Raise());
        await Job.StartAsync(Spec());

        // StartAsync is one-way: a later call on the job returns once it has run, reminder registered.
        await Job.GetStatusAsync();

        _silo.Time.Advance(TimeSpan.FromSeconds(5));
        await asked.WaitAsync();

        Assert.Equal(new JobStatus(JobState.Pending, 1, null, null), await Job.GetStatusAsync());
        await _mocks.Scheduler.Received(1).EnqueueAsync(Arg.Any<IReadOnlyList<JobTicket>>());
    }
}

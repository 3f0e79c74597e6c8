using GridActors.Grains.Runners;
using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Grains.Tests;

public class VolunteerServiceTests : IAsyncLifetime
{
    private readonly Collaborators _mocks = new();
    private readonly Signal _announced = new();
    private readonly IClusterMembership _membership = Substitute.For<IClusterMembership>();
    private readonly SiloAddress _other = new("10.0.0.4", 11111, 5);
    private TestSilo _silo = null!;

    public async Task InitializeAsync()
    {
        _mocks.Scheduler.When(s => s.RequestWorkAsync(Arg.Is<WorkRequest>(r => r.Absolute))).Do(_ => _announced.Raise());
        _membership.Members.Returns([Member(SiloStatus.Active)]);
        _silo = await TestSilo.StartAsync(services =>
        {
            services.AddSingleton(_mocks);
            services.AddSingleton(_membership);
            services.AddSingleton<VolunteerWatch>();
            services.AddSingleton<RunnerPool>();
            services.AddSingleton<VolunteerService>();
            services.AddGrain<ForwardingScheduler>();
            services.AddGrain<ForwardingJob>();
            services.AddSerializerContext(GrainsJsonContext.Default);
            services.AddOptions<RunnerOptions>().Configure(o => o.Runners = 2);

            // The periodic announcement is out of the picture: only a death can make the volunteer speak again.
            services.AddOptions<GridOptions>().Configure(o => o.VolunteerAnnouncePeriod = TimeSpan.FromHours(1));
        });
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private MembershipEntry Member(SiloStatus status) =>
        new(_other, "d", status, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], SiloLoad.None);

    [Fact]
    public async Task WhenASiloIsDeclaredDead_TheVolunteerAnnouncesItselfAtOnce_ForANewSchedulerActivation()
    {
        var volunteer = _silo.Services.GetRequiredService<VolunteerService>();
        await volunteer.StartAsync();
        await _announced.WaitAsync();

        // The silo that died may have held the scheduler; its next activation must learn this volunteer's free runners.
        _membership.Members.Returns([Member(SiloStatus.Dead)]);
        _membership.Changed += Raise.Event<Action>();

        await _announced.WaitAsync();
        await _mocks.Scheduler.Received(2).RequestWorkAsync(Arg.Is<WorkRequest>(r => r.Absolute && r.Volunteer == volunteer.Id && r.Credits == 4));
    }

    [Fact]
    public async Task TheVolunteerHoldsAnAttempt_UntilItsJobHasTakenTheOutcome()
    {
        // The job's lease check may ask while the outcome is on its way: the answer must still be yes,
        // or the job is reissued and runs twice.
        var taken = new TaskCompletionSource();
        var handed = new Signal();
        _mocks.Jobs.CompleteAsync("t/0", Arg.Any<JobOutcome>()).Returns(_ =>
        {
            handed.Raise();
            return taken.Task;
        });
        var volunteer = await StartWithModuleAsync();

        await volunteer.RunAsync([Ticket()]);
        await handed.WaitAsync();
        Assert.True(volunteer.Holds("t/0", 1));

        taken.SetResult();
        await Eventually.True(() => !volunteer.Holds("t/0", 1), "the volunteer lets go of the attempt once its job has the outcome");
        await _mocks.Jobs.Received(1).CompleteAsync("t/0", Arg.Is<JobOutcome>(o => o.Attempt == 1 && o.Result == "49" && o.Volunteer == volunteer.Id));
    }

    [Fact]
    public async Task AnOutcomeTheJobCouldNotTake_IsHandedOverAgain_AndHeldMeanwhile()
    {
        var handed = new Signal();
        var calls = 0;
        _mocks.Jobs.CompleteAsync("t/0", Arg.Any<JobOutcome>()).Returns(_ =>
        {
            handed.Raise();
            return Interlocked.Increment(ref calls) == 1 ? Task.FromException(new GrainException("the grid's storage is away")) : Task.CompletedTask;
        });
        var volunteer = await StartWithModuleAsync();

        await volunteer.RunAsync([Ticket()]);
        await handed.WaitAsync();
        Assert.True(volunteer.Holds("t/0", 1));

        // The next try comes a second later, on the silo's clock.
        await Eventually.True(
            () =>
            {
                _silo.Time.Advance(TimeSpan.FromSeconds(1));
                return !volunteer.Holds("t/0", 1);
            },
            "the outcome is handed over on the second try");
        await _mocks.Jobs.Received(2).CompleteAsync("t/0", Arg.Any<JobOutcome>());
    }

    private static JobTicket Ticket() => new(new JobSpec("t", 0, "7", "square", TimeSpan.FromSeconds(30), 3), 1);

    private async Task<VolunteerService> StartWithModuleAsync()
    {
        var pool = _silo.Services.GetRequiredService<RunnerPool>();
        await pool.StartAsync();
        pool.AddModule("square", "square.js", "module.exports = function (x) { return x * x }");
        var volunteer = _silo.Services.GetRequiredService<VolunteerService>();
        await volunteer.StartAsync();
        return volunteer;
    }
}

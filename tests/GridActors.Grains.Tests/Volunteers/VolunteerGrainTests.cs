using GridActors.Grid;
using GridActors.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace GridActors.Grains.Tests.Volunteers;

/// <summary>A silo's volunteer with its real runner, and a mocked scheduler and tasks.</summary>
public sealed class VolunteerGrainTests : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Square = "module.exports = function (x) { return x * x }";
    private const string Endless = "module.exports = function (x) { while (true) {} }";
    private readonly RedisServer _redis;
    private GridTestCluster _grid = null!;

    public VolunteerGrainTests(RedisServer redis) => _redis = redis;

    private SiloAddress Silo => _grid.Cluster.GetActiveSilos().First().SiloAddress;

    private IVolunteerGrain Volunteer => _grid.Client.GetGrain<IVolunteerGrain>(Silo.ToParsableString());

    private ITasks Tasks => _grid.Mocks.Tasks;

    public async Task InitializeAsync()
    {
        _grid = await GridTestCluster.StartAsync(_redis, [GridTestCluster.Mocked.Scheduler, GridTestCluster.Mocked.Tasks]);
        await _grid.Client.GetGrain<IModuleGrain>("square").StoreAsync("square.js", Square);
        await _grid.Client.GetGrain<IModuleGrain>("endless").StoreAsync("endless.js", Endless);
    }

    public async Task DisposeAsync() => await _grid.DisposeAsync();

    private static JobTicket Ticket(long index, string module = "square", int attempt = 1) => new("t", index, attempt, $"{index}", module, TimeSpan.FromSeconds(60));

    [Fact]
    public async Task AJob_RunsInTheSilosRunner_AndItsOutcomeGoesToItsTask()
    {
        var handedOver = new TaskCompletionSource<IReadOnlyList<JobOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Tasks.CompleteAsync("t", Arg.Any<IReadOnlyList<JobOutcome>>()).Returns(c =>
        {
            handedOver.TrySetResult(c.Arg<IReadOnlyList<JobOutcome>>());
            return Task.CompletedTask;
        });

        Assert.True(await Volunteer.RunAsync([Ticket(7)]));

        var outcome = Assert.Single(await Eventually.Within(handedOver.Task));
        // It says who ran it, as reputation knows the volunteer: its silo's name.
        Assert.Equal(new JobOutcome(7, 1, Silo.ToParsableString(), "49", null, JobErrorKind.Script, Identity: _grid.Cluster.GetActiveSilos().First().Name), outcome);
        Assert.Equal(1, (await Volunteer.GetStatsAsync()).ItemsDone);
    }

    [Fact]
    public async Task TheVolunteerHoldsAnAttempt_UntilItsTaskHasTakenTheOutcome()
    {
        var taken = new TaskCompletionSource();
        Tasks.CompleteAsync("t", Arg.Any<IReadOnlyList<JobOutcome>>()).Returns(taken.Task);

        await Volunteer.RunAsync([Ticket(0)]);
        await Eventually.True(() => Tasks.ReceivedCalls().Any(), "the outcome is on its way to the task");

        Assert.Empty(await Volunteer.LostAsync("t", [new JobAttempt(0, 1)]));
        Assert.Equal([new JobAttempt(0, 2)], await Volunteer.LostAsync("t", [new JobAttempt(0, 2)]));

        taken.SetResult();
        await Eventually.True(() => Volunteer.LostAsync("t", [new JobAttempt(0, 1)]).Result.Count == 1, "once the task has it, the volunteer no longer holds the attempt");
    }

    [Fact]
    public async Task AnOutcomeTheTaskCouldNotTake_IsHandedOverAgain_AndHeldMeanwhile()
    {
        Tasks.CompleteAsync("t", Arg.Any<IReadOnlyList<JobOutcome>>()).Returns(
            _ => throw new GridUnavailableException("the grid's storage did not answer"),
            _ => Task.CompletedTask);

        await Volunteer.RunAsync([Ticket(0)]);
        await Eventually.True(() => Tasks.ReceivedCalls().Count() == 1, "the first hand-over fails");
        Assert.Empty(await Volunteer.LostAsync("t", [new JobAttempt(0, 1)]));

        // The next try comes a second later, on the grains' clock, counted from when the volunteer
        // took the failure in, which may be after the failed call was counted: the clock moves a
        // second at a time until the try is made.
        await Eventually.True(
            () =>
            {
                if (Tasks.ReceivedCalls().Count() == 2)
                {
                    return true;
                }

                _grid.Time.Advance(TimeSpan.FromSeconds(1));
                return false;
            },
            "the outcome is handed over again");
        await Eventually.True(() => Volunteer.LostAsync("t", [new JobAttempt(0, 1)]).Result.Count == 1, "then the attempt is released");
    }

    [Fact]
    public async Task WithEveryRunnerHeldByALongJob_ABatchIsRefused_AndCancellingItsTaskFreesTheRunner()
    {
        var cancelled = new TaskCompletionSource<IReadOnlyList<JobOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Tasks.CompleteAsync("t", Arg.Any<IReadOnlyList<JobOutcome>>()).Returns(c =>
        {
            cancelled.TrySetResult(c.Arg<IReadOnlyList<JobOutcome>>());
            return Task.CompletedTask;
        });
        Assert.True(await Volunteer.RunAsync([Ticket(0, "endless")]));
        await Eventually.True(() => Volunteer.GetStatsAsync().Result.Running == 1, "the endless job runs");

        await _grid.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.False(await Volunteer.RunAsync([Ticket(1)]));

        await Volunteer.CancelTaskAsync("t");
        Assert.Equal(JobErrorKind.Cancelled, Assert.Single(await Eventually.Within(cancelled.Task)).ErrorKind);
    }

    [Fact]
    public async Task AnAnnouncement_TellsTheSchedulerEveryFreeSlot()
    {
        _grid.Mocks.Scheduler.ClearReceivedCalls();

        await Volunteer.AnnounceAsync();

        await Eventually.True(() => _grid.Mocks.Scheduler.ReceivedCalls().Any(), "the scheduler hears from the volunteer");
        await _grid.Mocks.Scheduler.Received(1).RequestWorkAsync(Arg.Is<WorkRequest>(r => r.Absolute && r.Volunteer == Silo.ToParsableString() && r.Silo == Silo && r.Credits > 0));
    }
}

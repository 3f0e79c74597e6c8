using GridActors.Grid;
using GridActors.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace GridActors.Grains.Tests.Scheduling;

/// <summary>The grid's scheduler on one silo, with mocked tasks and volunteers.</summary>
public sealed class SchedulerGrainTests : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly RedisServer _redis;
    private GridTestCluster _grid = null!;

    public SchedulerGrainTests(RedisServer redis) => _redis = redis;

    private ISchedulerGrain Scheduler => _grid.Client.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);

    private SiloAddress Silo => _grid.Cluster.GetActiveSilos().First().SiloAddress;

    /// <summary>The volunteer of the test's silo, as the scheduler knows it.</summary>
    private string Volunteer => Silo.ToParsableString();

    private IVolunteers Volunteers => _grid.Mocks.Volunteers;

    private ITasks Tasks => _grid.Mocks.Tasks;

    public async Task InitializeAsync() =>
        _grid = await GridTestCluster.StartAsync(_redis, [GridTestCluster.Mocked.Tasks, GridTestCluster.Mocked.Volunteers]);

    public async Task DisposeAsync() => await _grid.DisposeAsync();

    private static JobTicket Ticket(long index, int attempt = 1, string task = "t") => new(task, index, attempt, $"{index}", "hash", TimeSpan.FromSeconds(60));

    private static JobTicket Replica(long index, int replica, IReadOnlyList<string>? avoid = null) =>
        new("t", index, 1, $"{index}", "hash", TimeSpan.FromSeconds(60), replica, $"t/{index}", avoid);

    /// <summary>Who got which replicas, from the batches the volunteers were sent.</summary>
    private Dictionary<string, List<JobTicket>> Sent() =>
        Volunteers.ReceivedCalls().Where(c => c.GetMethodInfo().Name == nameof(IVolunteers.RunAsync))
            .GroupBy(c => (string)c.GetArguments()[0]!)
            .ToDictionary(g => g.Key, g => g.SelectMany(c => (IReadOnlyList<JobTicket>)c.GetArguments()[1]!).ToList());

    [Fact]
    public async Task ReplicasOfAnItem_GoToDifferentVolunteers_EvenWhenOneHasCreditsForAll()
    {
        await Scheduler.RequestWorkAsync(new WorkRequest("vol-a", Silo, 100, Identity: "a"));
        await Scheduler.RequestWorkAsync(new WorkRequest("vol-b", Silo, 100, Identity: "b"));

        await Scheduler.EnqueueAsync([.. Enumerable.Range(0, 5).SelectMany(i => new[] { Replica(i, 0), Replica(i, 1) })]);

        await Eventually.True(() => Sent().Values.Sum(b => b.Count) == 10, "every replica is sent");
        var sent = Sent();
        Assert.Equal(5, sent["vol-a"].Count);
        Assert.Equal(5, sent["vol-b"].Count);
        Assert.All(Enumerable.Range(0, 5), i => Assert.Single(sent["vol-a"], t => t.Index == i));
    }

    [Fact]
    public async Task AReplicaAvoidsTheVolunteersItsTaskNames_AndWaitsForAnother()
    {
        await Scheduler.RequestWorkAsync(new WorkRequest("vol-a", Silo, 100, Identity: "a"));
        await Scheduler.RequestWorkAsync(new WorkRequest("vol-b", Silo, 0, Identity: "b"));

        await Scheduler.EnqueueAsync([Replica(0, 2, avoid: ["a"])]);
        Assert.Equal(1, (await Scheduler.GetStatusAsync()).Queued);
        Assert.Empty(Sent());

        await Scheduler.RequestWorkAsync(new WorkRequest("vol-b", Silo, 1, Identity: "b"));
        await Eventually.True(() => Sent().ContainsKey("vol-b"), "the replica goes to the other volunteer once it has a slot");
        Assert.False(Sent().ContainsKey("vol-a"));
    }

    [Fact]
    public async Task OnAGridOfOneVolunteer_ItRunsEveryReplica()
    {
        await Scheduler.RequestWorkAsync(new WorkRequest("vol-a", Silo, 100, Identity: "a"));

        await Scheduler.EnqueueAsync([Replica(0, 0), Replica(0, 1)]);

        await Eventually.True(() => Sent().TryGetValue("vol-a", out var batch) && batch.Count == 2, "both replicas go to the only volunteer");
    }

    [Fact]
    public async Task ANewScheduler_AsksEveryVolunteerToAnnounceItself()
    {
        await Scheduler.GetStatusAsync();

        await Eventually.True(() => Volunteers.ReceivedCalls().Any(c => c.GetMethodInfo().Name == nameof(IVolunteers.AnnounceAsync)), "the volunteer is asked to announce");
        await Volunteers.Received(1).AnnounceAsync(Volunteer);
    }

    [Fact]
    public async Task ABatchGoesToAVolunteerWithCredits_AndEachTaskIsToldWhereItsJobsWent()
    {
        var told = Signal(Tasks.PlacedAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<SiloAddress>(), Arg.Any<IReadOnlyList<JobAttempt>>()));
        await Scheduler.RequestWorkAsync(new WorkRequest(Volunteer, Silo, 2));

        await Scheduler.EnqueueAsync([Ticket(0), Ticket(1), Ticket(2)]);

        await Eventually.Within(told.Task);
        await Volunteers.Received(1).RunAsync(Volunteer, Arg.Is<IReadOnlyList<JobTicket>>(b => b.Select(t => t.Index).SequenceEqual(new long[] { 0, 1 })));
        await Tasks.Received(1).PlacedAsync("t", Volunteer, Silo, Arg.Is<IReadOnlyList<JobAttempt>>(j => j.SequenceEqual(new[] { new JobAttempt(0, 1), new JobAttempt(1, 1) })));
        Assert.Equal(1, (await Scheduler.GetStatusAsync()).Queued);
    }

    [Fact]
    public async Task AJobOnItsWayToAVolunteer_IsHeld_UntilItsTaskHasBeenTold()
    {
        var release = new TaskCompletionSource();
        Tasks.PlacedAsync("t", Volunteer, Silo, Arg.Any<IReadOnlyList<JobAttempt>>()).Returns(release.Task);
        await Scheduler.RequestWorkAsync(new WorkRequest(Volunteer, Silo, 5));

        await Scheduler.EnqueueAsync([Ticket(0)]);
        await Eventually.True(() => Tasks.ReceivedCalls().Any(), "the task is being told");

        Assert.Empty(await Scheduler.LostAsync("t", [new JobAttempt(0, 1)]));
        Assert.Equal([new JobAttempt(0, 2)], await Scheduler.LostAsync("t", [new JobAttempt(0, 2)]));

        release.SetResult();
        await Eventually.True(() => Scheduler.LostAsync("t", [new JobAttempt(0, 1)]).Result.Count == 1, "once the task knows, the scheduler no longer answers for the job");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABatchItsVolunteerRefusesOrCannotTake_IsQueuedAgain_AndTheVolunteerGetsNoMoreUntilItAsks(bool unreachable)
    {
        if (unreachable)
        {
            Volunteers.RunAsync(Volunteer, Arg.Any<IReadOnlyList<JobTicket>>()).ThrowsAsync(new SiloUnavailableException("gone"));
        }
        else
        {
            Volunteers.RunAsync(Volunteer, Arg.Any<IReadOnlyList<JobTicket>>()).Returns(false);
        }

        await Scheduler.RequestWorkAsync(new WorkRequest(Volunteer, Silo, 5));
        await Scheduler.EnqueueAsync([Ticket(0), Ticket(1)]);

        await Eventually.True(() => Scheduler.GetStatusAsync().Result is { Queued: 2 } status && status.Credits[Volunteer] == 0, "the batch is queued again and the credits are gone");
        Assert.Empty(await Scheduler.LostAsync("t", [new JobAttempt(0, 1), new JobAttempt(1, 1)]));
        await Volunteers.Received(1).RunAsync(Volunteer, Arg.Any<IReadOnlyList<JobTicket>>());

        Volunteers.RunAsync(Volunteer, Arg.Any<IReadOnlyList<JobTicket>>()).Returns(true);
        await Scheduler.RequestWorkAsync(new WorkRequest(Volunteer, Silo, 5));
        await Eventually.True(() => Scheduler.GetStatusAsync().Result.Queued == 0, "the jobs go out once the volunteer asks again");
    }

    [Fact]
    public async Task AVolunteerThatAsksLater_GetsTheQueuedWorkAtOnce_AndAnAbsoluteAnnouncementReplacesItsCredits()
    {
        await Scheduler.EnqueueAsync([Ticket(0), Ticket(1), Ticket(2)]);
        Assert.Equal(3, (await Scheduler.GetStatusAsync()).Queued);

        await Scheduler.RequestWorkAsync(new WorkRequest(Volunteer, Silo, 5));
        await Eventually.True(() => Scheduler.GetStatusAsync().Result.Queued == 0, "the volunteer gets the queued jobs");
        Assert.Equal(2, (await Scheduler.GetStatusAsync()).Credits[Volunteer]);

        await Scheduler.RequestWorkAsync(new WorkRequest(Volunteer, Silo, 7, Absolute: true));
        Assert.Equal(7, (await Scheduler.GetStatusAsync()).Credits[Volunteer]);
    }

    [Fact]
    public async Task AVolunteerOfASiloNotInTheCluster_GetsNothing()
    {
        var stranger = SiloAddress.FromParsableString("127.0.0.1:1@1");
        await Scheduler.RequestWorkAsync(new WorkRequest(stranger.ToParsableString(), stranger, 5));

        await Scheduler.EnqueueAsync([Ticket(0)]);

        Assert.Equal(1, (await Scheduler.GetStatusAsync()).Queued);
        await Volunteers.DidNotReceive().RunAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<JobTicket>>());
    }

    [Fact]
    public async Task CancellingATask_DropsItsQueuedJobs_AndTellsTheVolunteers()
    {
        await Scheduler.RequestWorkAsync(new WorkRequest(Volunteer, Silo, 0));
        await Scheduler.EnqueueAsync([Ticket(0, task: "a"), Ticket(0, task: "b"), Ticket(1, task: "a")]);

        await Scheduler.CancelTaskAsync("a");

        Assert.Equal([new JobAttempt(0, 1), new JobAttempt(1, 1)], await Scheduler.LostAsync("a", [new JobAttempt(0, 1), new JobAttempt(1, 1)]));
        Assert.Empty(await Scheduler.LostAsync("b", [new JobAttempt(0, 1)]));
        await Eventually.True(() => Volunteers.ReceivedCalls().Any(c => c.GetMethodInfo().Name == nameof(IVolunteers.CancelTaskAsync)), "the volunteers are told");
        await Volunteers.Received(1).CancelTaskAsync(Volunteer, "a");
    }

    /// <summary>Makes a mocked call complete at once and set the signal returned.</summary>
    private static TaskCompletionSource Signal(Task call)
    {
        var raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.Returns(_ =>
        {
            raised.TrySetResult();
            return Task.CompletedTask;
        });
        return raised;
    }
}

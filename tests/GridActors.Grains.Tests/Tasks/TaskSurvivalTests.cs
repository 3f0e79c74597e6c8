using GridActors.Grid;
using GridActors.Testing;
using NSubstitute;

namespace GridActors.Grains.Tests.Tasks;

/// <summary>A task and the silos it lives on: two silos on Redis, one of which dies.</summary>
public sealed class TaskSurvivalTests : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TaskSpec Spec = new("hash", "square.js", TaskOptions.Default);
    private readonly RedisServer _redis;
    private readonly TicketLog _tickets = new();
    private GridTestCluster _grid = null!;

    public TaskSurvivalTests(RedisServer redis) => _redis = redis;

    private ITaskGrain TaskGrain => _grid.Client.GetGrain<ITaskGrain>("t");

    public async Task InitializeAsync()
    {
        _grid = await GridTestCluster.StartAsync(_redis, [GridTestCluster.Mocked.Scheduler, GridTestCluster.Mocked.Volunteers], silos: 2, grid: o =>
        {
            o.MaxActiveJobsPerTask = 2;
            o.TaskCheckPeriod = TimeSpan.FromSeconds(1);
        });
        _grid.Mocks.Scheduler.When(s => s.EnqueueAsync(Arg.Any<IReadOnlyList<JobTicket>>())).Do(c => _tickets.Add(c.Arg<IReadOnlyList<JobTicket>>()));
    }

    public async Task DisposeAsync() => await _grid.DisposeAsync();

    [Fact]
    public async Task ATaskWhoseSiloDied_CarriesOnInTheNext_FromWhatWasStored()
    {
        await TaskGrain.CreateAsync(Spec);
        var second = await MoveToTheSecondSiloAsync();
        await TaskGrain.AddItemsAsync(0, ["1", "2", "3", "4"], last: true);
        await _tickets.WaitForAsync("t", 2);
        await TaskGrain.CompleteAsync([new JobOutcome(0, 1, "v", "1", null, JobErrorKind.Script)]);
        await _tickets.WaitForAsync("t", 3);

        await _grid.Cluster.KillSiloAsync(second);

        // A reader brings the task back on the other silo: it serves what was stored, and starts again
        // the jobs that had not finished (1 and 2), not the one that had (0), and not yet the last.
        var page = await Eventually.Within(TaskGrain.ReadResultsAsync(0, 10, TimeSpan.FromSeconds(5)));
        Assert.Equal(["1"], page.Results.Select(r => r.Result));
        var again = (await _tickets.WaitForAsync("t", 5)).Skip(3).ToList();
        Assert.Equal([1L, 2], again.Select(t => t.Index).Order());
    }

    [Fact]
    public async Task ATaskThatComesBack_TakesBackTheJobsItsHoldersStillHave_AndRunsOnlyTheRest()
    {
        await TaskGrain.CreateAsync(Spec);
        var second = await MoveToTheSecondSiloAsync();
        await TaskGrain.AddItemsAsync(0, ["1", "2", "3"], last: true);
        await _tickets.WaitForAsync("t", 2);

        // Job 0's attempt 1 is with the volunteer of the silo that stays; job 1 is queued at the scheduler.
        var stays = _grid.Cluster.GetActiveSilos().First(s => s.SiloAddress != second.SiloAddress).SiloAddress;
        _grid.Mocks.Volunteers.HeldAsync(stays.ToParsableString(), "t").Returns(Task.FromResult<IReadOnlyList<JobAttempt>>([new JobAttempt(0, 1)]));
        _grid.Mocks.Scheduler.HeldAsync("t").Returns(Task.FromResult<IReadOnlyList<JobAttempt>>([new JobAttempt(1, 1)]));
        await _grid.Cluster.KillSiloAsync(second);

        // Back on the silo left, the task runs job 2 (its third item, now within its two active jobs
        // once job 0 ends) but neither of the others again; job 0's outcome is taken as it comes.
        await Eventually.Within(TaskGrain.GetProgressAsync());
        await TaskGrain.CompleteAsync([new JobOutcome(0, 1, stays.ToParsableString(), "1", null, JobErrorKind.Script)]);
        Assert.Equal([2L], (await _tickets.WaitForAsync("t", 3)).Skip(2).Select(t => t.Index));
        Assert.Equal(["1"], (await TaskGrain.ReadResultsAsync(0, 10, TimeSpan.FromSeconds(5))).Results.Select(r => r.Result));
    }

    [Fact]
    public async Task ItsReminder_BringsATaskBack_WithoutAnyCaller()
    {
        await TaskGrain.CreateAsync(Spec);
        var second = await MoveToTheSecondSiloAsync();
        await TaskGrain.AddItemsAsync(0, ["1", "2", "3"], last: true);
        await _tickets.WaitForAsync("t", 2);

        await _grid.Cluster.KillSiloAsync(second);

        // Nobody calls the task; its reminder brings it back on the silo left, and it starts its jobs again.
        Assert.Equal([0L, 1], (await _tickets.WaitForAsync("t", 4)).Skip(2).Select(t => t.Index).Order());
    }

    [Fact]
    public async Task JobsWithAVolunteerOnASiloDeclaredDead_AreReissuedAtOnce_WithoutAskingIt()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1"], last: true);
        var ticket = Assert.Single(await _tickets.WaitForAsync("t", 1));
        var taskSilo = _grid.SiloOf(TaskGrain)!;
        var other = _grid.Cluster.GetActiveSilos().First(s => s.SiloAddress != taskSilo.SiloAddress);
        await TaskGrain.PlacedAsync("doomed", other.SiloAddress, [ticket.Job], "v");

        await _grid.Cluster.KillSiloAsync(other);

        // The task's silo learns of the death from Orleans' membership and tells the task at once;
        // the fake clock stands still, so no lease check comes into it.
        var reissued = (await _tickets.WaitForAsync("t", 2))[1];
        Assert.Equal((0L, 2), (reissued.Index, reissued.Attempt));
        await _grid.Mocks.Volunteers.DidNotReceive().LostAsync("doomed", "t", Arg.Any<IReadOnlyList<JobAttempt>>());
    }

    /// <summary>Moves the task to the silo that is not the first, so that killing it leaves the test's own silo.</summary>
    private async Task<Orleans.TestingHost.InProcessSiloHandle> MoveToTheSecondSiloAsync()
    {
        var second = _grid.Cluster.GetActiveSilos().Last();
        if (_grid.SiloOf(TaskGrain)?.SiloAddress != second.SiloAddress)
        {
            await _grid.Cluster.MigrateAsync(TaskGrain, second.SiloAddress);
            await Eventually.True(() => _grid.SiloOf(TaskGrain)?.SiloAddress == second.SiloAddress || _grid.SiloOf(TaskGrain) is null, "the task moved");
            await TaskGrain.GetProgressAsync();
        }

        Assert.Equal(second.SiloAddress, _grid.SiloOf(TaskGrain)?.SiloAddress);
        return second;
    }
}

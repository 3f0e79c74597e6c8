using GridActors.Grains.Storage;
using GridActors.Grid;
using GridActors.Testing;
using NSubstitute;
using StackExchange.Redis;

namespace GridActors.Grains.Tests.Tasks;

/// <summary>A silo with the grid's task grain, on Redis, and a mocked scheduler and volunteers.</summary>
public sealed class TaskGrainCluster : IAsyncLifetime
{
    public RedisServer Redis { get; } = new();

    public GridTestCluster Grid { get; private set; } = null!;

    public TicketLog Tickets { get; } = new();

    public async Task InitializeAsync()
    {
        Grid = await GridTestCluster.StartAsync(Redis, [GridTestCluster.Mocked.Scheduler, GridTestCluster.Mocked.Volunteers], grid: o => o.MaxActiveJobsPerTask = 2);
        Grid.Mocks.Scheduler.When(s => s.EnqueueAsync(Arg.Any<IReadOnlyList<JobTicket>>())).Do(c => Tickets.Add(c.Arg<IReadOnlyList<JobTicket>>()));
    }

    public async Task DisposeAsync()
    {
        await Grid.DisposeAsync();
        Redis.Dispose();
    }
}

public sealed class TaskGrainTests(TaskGrainCluster fixture) : IClassFixture<TaskGrainCluster>
{
    private static readonly TaskSpec Spec = new("hash", "square.js", TaskOptions.Default);
    private static readonly SiloAddress Elsewhere = SiloAddress.FromParsableString("127.0.0.1:1@1");
    private readonly string _id = Guid.NewGuid().ToString("N")[..12];

    private ITaskGrain TaskGrain => fixture.Grid.Client.GetGrain<ITaskGrain>(_id);

    private TicketLog Tickets => fixture.Tickets;

    private ITaskStore Store => new RedisTaskStore(new GridRedis(fixture.Redis.Address, fixture.Grid.ClusterId));

    private static JobOutcome Result(JobTicket ticket, string result) => new(ticket.Index, ticket.Attempt, "v", result, null, JobErrorKind.Script);

    [Fact]
    public async Task ARetriedBatch_AddsOnlyItsNewItems()
    {
        await TaskGrain.CreateAsync(Spec);
        Assert.Equal(2, (await TaskGrain.AddItemsAsync(0, ["1", "2"], last: false)).NextIndex);
        Assert.Equal(3, (await TaskGrain.AddItemsAsync(0, ["1", "2", "3"], last: true)).NextIndex);

        Assert.Equal(new TaskProgress(3, true, 0, 0, 2), await TaskGrain.GetProgressAsync());
        Assert.Equal([(0L, "1"), (1L, "2"), (2L, "3")], await Store.ReadItemsAsync(_id, 0, 10));
    }

    [Fact]
    public async Task ASubmission_CreatesTheTaskWithItsFirstItems_AndRepeatingItAddsNothingTwice()
    {
        Assert.Equal(2, (await TaskGrain.SubmitAsync(Spec, ["1", "2"], last: false)).NextIndex);
        Assert.Equal(2, (await TaskGrain.SubmitAsync(Spec, ["1", "2"], last: false)).NextIndex);
        Assert.Equal(3, (await TaskGrain.AddItemsAsync(2, ["3"], last: true)).NextIndex);

        Assert.Equal([(0L, "1"), (1L, "2"), (2L, "3")], await Store.ReadItemsAsync(_id, 0, 10));
        Assert.Equal(new TaskProgress(3, true, 0, 0, 2), await TaskGrain.GetProgressAsync());
        Assert.Contains(_id, await Store.ListAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => TaskGrain.SubmitAsync(Spec with { ModuleName = "other.js" }, [], last: false));
    }

    [Fact]
    public async Task ActiveJobs_AreCapped_AndEachResultStartsTheNext()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1", "2", "3", "4"], last: true);
        var first = await Tickets.WaitForAsync(_id, 2);
        Assert.Equal([new JobTicket(_id, 0, 1, "1", "hash", TimeSpan.FromSeconds(60)), new JobTicket(_id, 1, 1, "2", "hash", TimeSpan.FromSeconds(60))], first);

        await TaskGrain.CompleteAsync([Result(first[1], "4")]);

        Assert.Equal([2L], (await Tickets.WaitForAsync(_id, 3)).Skip(2).Select(t => t.Index));
        Assert.Equal(new TaskProgress(4, true, 1, 0, 2), await TaskGrain.GetProgressAsync());
    }

    [Fact]
    public async Task Results_AreReadInInputOrder_WhateverOrderJobsFinish_AndEachOnce()
    {
        await TaskGrain.CreateAsync(Spec with { Options = TaskOptions.Default with { KeepResults = false } });
        await TaskGrain.AddItemsAsync(0, ["1", "2"], last: true);
        var tickets = await Tickets.WaitForAsync(_id, 2);

        await TaskGrain.CompleteAsync([Result(tickets[1], "4")]);
        Assert.Empty((await TaskGrain.ReadResultsAsync(0, 10, TimeSpan.Zero)).Results);
        var reading = TaskGrain.ReadResultsAsync(0, 10, TimeSpan.FromSeconds(20));
        await TaskGrain.CompleteAsync([Result(tickets[0], "1"), Result(tickets[0], "other")]);
        var page = await Eventually.Within(reading);

        Assert.Equal(["1", "4"], page.Results.Select(r => r.Result));
        Assert.True(page.Finished);
        Assert.Equal(new ResultCounts(2, 0), await Store.CountAsync(_id));
    }

    [Fact]
    public async Task AJobItsVolunteerNoLongerHolds_IsReissuedAtTheLeaseCheck_WithoutUsingUpAnAttempt()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1"], last: true);
        var ticket = Assert.Single(await Tickets.WaitForAsync(_id, 1));
        await TaskGrain.PlacedAsync("lost-volunteer", fixture.Grid.Cluster.GetActiveSilos().First().SiloAddress, [ticket.Job], "v");
        fixture.Grid.Mocks.Volunteers.LostAsync("lost-volunteer", _id, Arg.Any<IReadOnlyList<JobAttempt>>())
            .Returns(c => Task.FromResult(c.Arg<IReadOnlyList<JobAttempt>>()));

        await fixture.Grid.AdvanceAsync(TimeSpan.FromSeconds(5));

        var reissued = (await Tickets.WaitForAsync(_id, 2))[1];
        Assert.Equal((0L, 2), (reissued.Index, reissued.Attempt));
    }

    [Fact]
    public async Task AJobTheSchedulerNoLongerHolds_IsReissuedWhenASiloDies()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1"], last: true);
        var ticket = Assert.Single(await Tickets.WaitForAsync(_id, 1));
        fixture.Grid.Mocks.Scheduler.LostAsync(_id, Arg.Any<IReadOnlyList<JobAttempt>>()).Returns(c => Task.FromResult(c.Arg<IReadOnlyList<JobAttempt>>()));

        // What the silo's death watch says to each task on it when any silo is declared Dead.
        await TaskGrain.CheckJobsAsync();

        Assert.Equal(2, (await Tickets.WaitForAsync(_id, 2))[1].Attempt);
        Assert.Equal(ticket.Index, (await Tickets.WaitForAsync(_id, 2))[1].Index);
    }

    [Fact]
    public async Task ATimeout_IsRetried_UpToMaxAttempts_ThenTheItemFailsWithTheLastError()
    {
        await TaskGrain.CreateAsync(Spec with { Options = TaskOptions.Default with { MaxAttempts = 2 } });
        await TaskGrain.AddItemsAsync(0, ["1"], last: true);
        var first = Assert.Single(await Tickets.WaitForAsync(_id, 1));

        await TaskGrain.CompleteAsync([new JobOutcome(0, first.Attempt, "v", null, "timed out after 60 s", JobErrorKind.Timeout)]);
        var second = (await Tickets.WaitForAsync(_id, 2))[1];
        await TaskGrain.CompleteAsync([new JobOutcome(0, second.Attempt, "v", null, "timed out after 60 s", JobErrorKind.Timeout)]);

        var page = await TaskGrain.ReadResultsAsync(0, 10, TimeSpan.FromSeconds(5));
        Assert.Equal(new JobReport(0, "1", null, "timed out after 60 s (attempt 2 of 2)", JobErrorKind.Timeout), Assert.Single(page.Results));
        Assert.True(page.Finished);
    }

    [Fact]
    public async Task AModuleError_EndsTheTask_AndItsOtherJobsAreStopped()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1", "2", "3"], last: true);
        var tickets = await Tickets.WaitForAsync(_id, 2);

        await TaskGrain.CompleteAsync([new JobOutcome(1, tickets[1].Attempt, "v", null, "SyntaxError: Unexpected token", JobErrorKind.Module)]);

        var page = await TaskGrain.ReadResultsAsync(0, 10, TimeSpan.Zero);
        Assert.Equal("SyntaxError: Unexpected token", page.ModuleError);
        Assert.Equal(TaskState.Failed, (await TaskGrain.GetInfoAsync())!.State);
        await fixture.Grid.Mocks.Scheduler.Received().CancelTaskAsync(_id);
        Assert.Equal(2, Tickets.Of(_id).Count);
    }

    [Fact]
    public async Task AddingItemsToATaskThatDoesNotExist_FailsClearly()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => TaskGrain.AddItemsAsync(0, ["1"], last: true));

        Assert.Equal($"Task {_id} does not exist; create it before adding items.", failure.Message);
        Assert.Null(await TaskGrain.GetInfoAsync());
    }

    [Fact]
    public async Task ReadingFromACursorPastTheItems_FailsClearly()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1"], last: true);

        var failure = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => TaskGrain.ReadResultsAsync(5, 10, TimeSpan.Zero));

        Assert.StartsWith($"Task {_id} has 1 items; results can be read from 0 to 1, not from 5.", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_KeepsTheResultsDone_StopsTheRest_AndReadsThemAsCancelled()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1", "2", "3"], last: true);
        var tickets = await Tickets.WaitForAsync(_id, 2);
        await TaskGrain.CompleteAsync([Result(tickets[0], "1")]);

        Assert.True(await TaskGrain.CancelAsync());
        Assert.False(await TaskGrain.CancelAsync());
        await TaskGrain.CompleteAsync([Result(tickets[1], "4")]);

        await fixture.Grid.Mocks.Scheduler.Received(1).CancelTaskAsync(_id);
        var results = await ReadAllAsync();
        Assert.Equal(
            [("1", "1", (string?)null), ("2", null, "cancelled before it ran to the end"), ("3", null, "cancelled before it ran to the end")],
            results.Select(r => (r.Item, r.Result, r.Error)));
        Assert.Equal(TaskState.Cancelled, (await TaskGrain.GetInfoAsync())!.State);
    }

    private async Task<List<JobReport>> ReadAllAsync()
    {
        List<JobReport> results = [];
        while (true)
        {
            var page = await TaskGrain.ReadResultsAsync(results.Count, 10, TimeSpan.FromSeconds(5));
            results.AddRange(page.Results);
            if (page.Finished)
            {
                return results;
            }
        }
    }

    [Fact]
    public async Task Delete_RemovesTheTask_AndEverythingStoredForIt()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1", "2"], last: true);
        var tickets = await Tickets.WaitForAsync(_id, 2);
        await TaskGrain.CompleteAsync([Result(tickets[0], "1")]);

        await TaskGrain.DeleteAsync();

        Assert.Null(await TaskGrain.GetInfoAsync());
        Assert.DoesNotContain(_id, await Store.ListAsync());
        using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.Address);
        Assert.Empty(redis.GetServer(fixture.Redis.Address).Keys(pattern: $"*{_id}*"));
    }

    [Fact]
    public async Task ATaskWithItsJobsOnAVolunteerWhoseSiloIsDead_ReissuesThemWhenTold()
    {
        await TaskGrain.CreateAsync(Spec);
        await TaskGrain.AddItemsAsync(0, ["1"], last: true);
        var ticket = Assert.Single(await Tickets.WaitForAsync(_id, 1));

        // The silo is not in the membership view: it is not known to be dead, and the volunteer is asked.
        await TaskGrain.PlacedAsync("far", Elsewhere, [ticket.Job], "v");
        await TaskGrain.CheckJobsAsync();
        await fixture.Grid.Mocks.Volunteers.Received(1).LostAsync("far", _id, Arg.Any<IReadOnlyList<JobAttempt>>());
        Assert.Single(Tickets.Of(_id));
    }
}

/// <summary>The tickets the mocked scheduler was given, by task, and a way to wait for them.</summary>
public sealed class TicketLog
{
    private readonly List<JobTicket> _tickets = [];
    private readonly SemaphoreSlim _added = new(0);

    public void Add(IReadOnlyList<JobTicket> tickets)
    {
        lock (_tickets)
        {
            _tickets.AddRange(tickets);
        }

        _added.Release();
    }

    public List<JobTicket> Of(string taskId)
    {
        lock (_tickets)
        {
            return [.. _tickets.Where(t => t.TaskId == taskId)];
        }
    }

    /// <summary>Waits until the task has had <paramref name="count"/> tickets; returns them in the order given.</summary>
    public async Task<List<JobTicket>> WaitForAsync(string taskId, int count)
    {
        var deadline = DateTime.UtcNow + Eventually.Limit;
        while (Of(taskId) is var tickets && tickets.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero && await _added.WaitAsync(left), $"task {taskId} had {tickets.Count} of {count} tickets queued within {Eventually.Limit.TotalSeconds} s");
        }

        return Of(taskId);
    }
}

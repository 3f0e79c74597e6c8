using GridActors.Grains.Storage;
using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Runtime.Persistence;
using GridActors.Runtime.Reminders;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Grains.Tests;

public class TaskGrainTests : IAsyncLifetime
{
    private static readonly TaskSpec Spec = new("hash", "square.js", TaskOptions.Default);
    private readonly Collaborators _mocks = new();
    private readonly Signal _started = new();

    // What outlives a silo: grain state, reminders and the task store.
    private readonly InMemoryGrainStorage _storage = new();
    private readonly InMemoryReminderTable _reminders = new();
    private readonly InMemoryTaskStore _store = new();
    private TestSilo _silo = null!;

    private ITaskGrain Task => _silo.Grains.GetGrain<ITaskGrain>("t");

    public async Task InitializeAsync()
    {
        _mocks.Jobs.When(j => j.StartAsync(Arg.Any<string>(), Arg.Any<JobSpec>())).Do(_ => _started.Raise());
        _silo = await StartSiloAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task RetriedBatch_AddsOnlyItsNewItems()
    {
        await Task.CreateAsync(Spec);
        Assert.Equal(2, (await Task.AddItemsAsync(0, ["1", "2"], last: false)).NextIndex);
        Assert.Equal(3, (await Task.AddItemsAsync(0, ["1", "2", "3"], last: true)).NextIndex);

        Assert.Equal(new TaskProgress(3, true, 0, 0, 2), await Task.GetProgressAsync());
        Assert.Equal([(0L, "1"), (1L, "2"), (2L, "3")], await _store.ReadItemsAsync("t", 0, 10));
    }

    [Fact]
    public async Task ActiveJobs_AreCapped_AndEachResultStartsTheNext()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1", "2", "3", "4"], last: true);
        await _started.WaitAsync(2);
        await _mocks.Jobs.DidNotReceive().StartAsync("t/2", Arg.Any<JobSpec>());

        await FinishAsync(new JobReport(1, "2", "4", null, JobErrorKind.Script));
        await _started.WaitAsync();

        await _mocks.Jobs.Received(1).StartAsync("t/2", new JobSpec("t", 2, "3", "hash", TimeSpan.FromSeconds(60), 3));
        Assert.Equal(new TaskProgress(4, true, 1, 0, 2), await Task.GetProgressAsync());
    }

    [Fact]
    public async Task Results_AreReadInInputOrder_WhateverOrderJobsFinish()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1", "2", "3"], last: true);
        await FinishAsync(new JobReport(2, "3", "9", null, JobErrorKind.Script));
        await FinishAsync(new JobReport(1, "2", "4", null, JobErrorKind.Script));

        var early = await Task.ReadResultsAsync(0, 10, TimeSpan.Zero);
        Assert.Empty(early.Results);

        await FinishAsync(new JobReport(0, "1", "1", null, JobErrorKind.Script));

        // Reports are one-way; the read waits for the prefix to grow.
        var page = await Eventually.Within(Task.ReadResultsAsync(0, 10, TimeSpan.FromSeconds(5)));

        Assert.Equal(["1", "4", "9"], page.Results.Select(r => r.Result));
        Assert.True(page.Finished);
        Assert.Equal(3, page.NextCursor);
    }

    [Fact]
    public async Task ATaskWhoseSiloDied_CarriesOnInTheNext_FromWhatWasStored()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1", "2", "3", "4"], last: true);
        await _started.WaitAsync(2);

        // Job 0 stores its result, but its report dies with the silo.
        await _store.AddResultAsync("t", new JobReport(0, "1", "1", null, JobErrorKind.Script));
        await _silo.DisposeAsync();
        _mocks.Jobs.ClearReceivedCalls();
        _silo = await StartSiloAsync();

        var page = await Eventually.Within(Task.ReadResultsAsync(0, 10, TimeSpan.FromSeconds(5)));

        Assert.Equal(["1"], page.Results.Select(r => r.Result));
        await _started.WaitAsync(2);

        // Job 1 may still run (starting it again does nothing); job 2 takes job 0's place.
        await _mocks.Jobs.Received(1).StartAsync("t/1", Arg.Any<JobSpec>());
        await _mocks.Jobs.Received(1).StartAsync("t/2", Arg.Any<JobSpec>());
        await _mocks.Jobs.DidNotReceive().StartAsync("t/0", Arg.Any<JobSpec>());
        await _mocks.Jobs.DidNotReceive().StartAsync("t/3", Arg.Any<JobSpec>());
    }

    [Fact]
    public async Task ItsReminder_BringsATaskBack_WithoutAnyCaller()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1", "2", "3"], last: true);
        await _started.WaitAsync(2);
        await _silo.DisposeAsync();
        _mocks.Jobs.ClearReceivedCalls();
        _silo = await StartSiloAsync();

        // Nobody calls the task; its reminder brings it back and it starts its jobs again.
        await Eventually.True(
            () =>
            {
                _silo.Time.Advance(TimeSpan.FromSeconds(1));
                return _mocks.Jobs.ReceivedCalls().Any(c => (string)c.GetArguments()[0]! == "t/1");
            },
            "the task's reminder restarts its jobs");
    }

    [Fact]
    public async Task ModuleError_StopsTheTask_AndSurvivesItsSilo()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1", "2", "3"], last: true);
        await _started.WaitAsync(2);
        await FinishAsync(new JobReport(1, "2", null, "bad.js: SyntaxError (line 1)", JobErrorKind.Module));
        Assert.Equal("bad.js: SyntaxError (line 1)", (await Eventually.Within(Task.ReadResultsAsync(0, 10, TimeSpan.FromSeconds(5)))).ModuleError);

        await _silo.DisposeAsync();
        _mocks.Jobs.ClearReceivedCalls();
        _silo = await StartSiloAsync();

        Assert.Equal("bad.js: SyntaxError (line 1)", (await Task.ReadResultsAsync(0, 10, TimeSpan.Zero)).ModuleError);
        await _mocks.Jobs.DidNotReceive().StartAsync(Arg.Any<string>(), Arg.Any<JobSpec>());
    }

    [Fact]
    public async Task AddingItemsToATaskThatDoesNotExist_FailsClearly()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.AddItemsAsync(0, ["1"], last: true));
        Assert.Equal("Task t does not exist; create it before adding items.", error.Message);
    }

    [Fact]
    public async Task ReadingFromACursorPastTheItems_FailsClearly()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1"], last: true);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Task.ReadResultsAsync(5, 10, TimeSpan.Zero));
        Assert.Contains("results can be read from 0 to 1, not from 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_KeepsTheResultsDone_StopsTheRest_AndReadsThemAsCancelled()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1", "2", "3", "4"], last: true);
        await _started.WaitAsync(2);
        await FinishAsync(new JobReport(0, "1", "1", null, JobErrorKind.Script));
        await _started.WaitAsync();

        Assert.True(await Task.CancelAsync());

        // The started jobs and the scheduler are told one-way.
        await Eventually.True(() => Called(_mocks.Jobs, nameof(IJobs.CancelAsync)) == 2, "both started jobs are cancelled");
        await Eventually.True(() => Called(_mocks.Scheduler, nameof(ISchedulerGrain.CancelTaskAsync)) == 1, "the scheduler is told to drop the task's jobs");
        await _mocks.Jobs.Received(1).CancelAsync("t/1");
        await _mocks.Jobs.Received(1).CancelAsync("t/2");
        await _mocks.Jobs.DidNotReceive().StartAsync("t/3", Arg.Any<JobSpec>());
        var results = await ReadAllAsync();
        Assert.Equal(
            ["1", "cancelled", "cancelled", "cancelled"],
            results.Select(r => r.Error is null ? r.Result : r.ErrorKind == JobErrorKind.Cancelled ? "cancelled" : r.Error));
        Assert.Equal(["1", "2", "3", "4"], results.Select(r => r.Item));
        Assert.Equal(TaskState.Cancelled, (await Task.GetInfoAsync())!.State);

        // Cancelling again, or after its silo is gone, changes nothing.
        Assert.False(await Task.CancelAsync());
        await _silo.DisposeAsync();
        _silo = await StartSiloAsync();
        Assert.False(await Task.CancelAsync());
        Assert.Equal(4, (await ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Delete_RemovesTheTask_AndEverythingStoredForIt()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1"], last: true);
        await FinishAsync(new JobReport(0, "1", "1", null, JobErrorKind.Script));
        Assert.Equal(TaskState.Finished, (await Task.GetInfoAsync())!.State);
        Assert.Equal(["t"], await _store.ListAsync());

        await Task.DeleteAsync();

        Assert.Null(await Task.GetInfoAsync());
        Assert.Empty(await _store.ListAsync());
        Assert.Equal([null], await _store.ReadResultsAsync("t", 0, 1));
    }

    [Fact]
    public async Task AnEndedTask_IsDeleted_WhenItsRetentionRunsOut()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1"], last: true);
        await FinishAsync(new JobReport(0, "1", "1", null, JobErrorKind.Script));

        // The test silo keeps a task 1 minute, and looks every 10 s.
        _silo.Time.Advance(TimeSpan.FromSeconds(50));
        Assert.NotNull(await Task.GetInfoAsync());
        await Eventually.True(
            () =>
            {
                _silo.Time.Advance(TimeSpan.FromSeconds(10));
                return _store.ListAsync().Result.Count == 0;
            },
            "the task is deleted once a minute has passed since it ended");
        Assert.Null(await Task.GetInfoAsync());
    }

    /// <summary>Reads pages from the first item until the task says it is finished.</summary>
    private async Task<List<JobReport>> ReadAllAsync()
    {
        var results = new List<JobReport>();
        for (var page = await Task.ReadResultsAsync(0, 10, TimeSpan.Zero); ; page = await Task.ReadResultsAsync(page.NextCursor, 10, TimeSpan.Zero))
        {
            results.AddRange(page.Results);
            if (page.Finished)
            {
                return results;
            }

            Assert.NotEmpty(page.Results);
        }
    }

    private static int Called(object mock, string method) => mock.ReceivedCalls().Count(c => c.GetMethodInfo().Name == method);

    // What a job does when it ends: store the result, then tell the task.
    private async Task FinishAsync(JobReport report)
    {
        Assert.True(await _store.AddResultAsync("t", report));
        await Task.ReportAsync(report);
    }

    private Task<TestSilo> StartSiloAsync() => TestSilo.StartAsync(services =>
    {
        services.AddSingleton(_mocks);
        services.AddSingleton<IGrainStorage>(_storage);
        services.AddSingleton<IReminderTable>(_reminders);
        services.AddSingleton<ITaskStore>(_store);
        services.AddGrain<TaskGrain>();
        services.AddGrain<ForwardingJob>();
        services.AddGrain<ForwardingScheduler>();
        services.AddSerializerContext(GrainsJsonContext.Default);
        services.Configure<GridOptions>(o =>
        {
            o.MaxActiveJobsPerTask = 2;
            o.TaskRetention = TimeSpan.FromMinutes(1);
            o.RetentionCheckPeriod = TimeSpan.FromSeconds(10);
        });
    });
}

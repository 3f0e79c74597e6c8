using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace GridActors.Grains.Tests;

public class TaskGrainTests : IAsyncLifetime
{
    private static readonly TaskSpec Spec = new("hash", "square.js", TaskOptions.Default);
    private readonly Collaborators _mocks = new();
    private readonly Signal _started = new();
    private TestSilo _silo = null!;

    private ITaskGrain Task => _silo.Grains.GetGrain<ITaskGrain>("t");

    public async Task InitializeAsync()
    {
        _mocks.Jobs.When(j => j.StartAsync(Arg.Any<string>(), Arg.Any<JobSpec>())).Do(_ => _started.Raise());
        _silo = await TestSilo.StartAsync(services =>
        {
            services.AddSingleton(_mocks);
            services.AddGrain<TaskGrain>();
            services.AddGrain<ForwardingJob>();
            services.AddSerializerContext(GrainsJsonContext.Default);
            services.Configure<GridOptions>(o => o.MaxActiveJobsPerTask = 2);
        });
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task RetriedBatch_AddsOnlyItsNewItems()
    {
        await Task.CreateAsync(Spec);
        Assert.Equal(2, (await Task.AddItemsAsync(0, ["1", "2"], last: false)).NextIndex);
        Assert.Equal(3, (await Task.AddItemsAsync(0, ["1", "2", "3"], last: true)).NextIndex);

        Assert.Equal(new TaskProgress(3, true, 0, 0, 2), await Task.GetProgressAsync());
    }

    [Fact]
    public async Task ActiveJobs_AreCapped_AndEachResultStartsTheNext()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1", "2", "3", "4"], last: true);
        await _started.WaitAsync(2);
        await _mocks.Jobs.DidNotReceive().StartAsync("t/2", Arg.Any<JobSpec>());

        await Task.ReportAsync(new JobReport(1, "2", "4", null, JobErrorKind.Script));
        await _started.WaitAsync();

        await _mocks.Jobs.Received(1).StartAsync("t/2", new JobSpec("t", 2, "3", "hash", TimeSpan.FromSeconds(60), 3));
        Assert.Equal(new TaskProgress(4, true, 1, 0, 2), await Task.GetProgressAsync());
    }

    [Fact]
    public async Task Results_AreReadInInputOrder_WhateverOrderJobsFinish()
    {
        await Task.CreateAsync(Spec);
        await Task.AddItemsAsync(0, ["1", "2", "3"], last: true);
        await Task.ReportAsync(new JobReport(2, "3", "9", null, JobErrorKind.Script));
        await Task.ReportAsync(new JobReport(1, "2", "4", null, JobErrorKind.Script));

        var early = await Task.ReadResultsAsync(0, 10, TimeSpan.Zero);
        Assert.Empty(early.Results);

        await Task.ReportAsync(new JobReport(0, "1", "1", null, JobErrorKind.Script));

        // Reports are one-way; the read waits for the prefix to grow (the fake clock never ends the wait).
        var page = await Eventually.Within(Task.ReadResultsAsync(0, 10, TimeSpan.FromSeconds(5)));

        Assert.Equal(["1", "4", "9"], page.Results.Select(r => r.Result));
        Assert.True(page.Finished);
        Assert.Equal(3, page.NextCursor);
    }

    [Fact]
    public async Task AddingItemsToATaskThatDoesNotExist_FailsClearly()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.AddItemsAsync(0, ["1"], last: true));
        Assert.Equal("Task t does not exist; create it before adding items.", error.Message);
    }
}

using GridActors.Grid;
using GridActors.Runtime;
using Microsoft.Extensions.Options;

namespace GridActors.Grains;

/// <summary>
/// A task. Items arrive in batches and wait here; at most <see cref="GridOptions.MaxActiveJobsPerTask"/>
/// jobs run at once, so an endless stream flows with bounded memory. Job reports fill the
/// <see cref="ResultLog"/>, which readers consume in input order.
/// </summary>
internal sealed class TaskGrain(
    [PersistentState("task")] IPersistentState<TaskGrainState> state,
    IOptions<GridOptions> options) : Grain, ITaskGrain
{
    private readonly Queue<(long Index, string Item)> _waiting = new();
    private ResultLog? _results;
    private long _active;

    private ResultLog Results => _results ??= new ResultLog(TimeProvider, state.State.Spec?.Options.KeepResults ?? true);

    public async Task CreateAsync(TaskSpec spec)
    {
        if (state.State.Spec is { } existing)
        {
            if (existing != spec)
            {
                throw new InvalidOperationException($"Task {GrainKey} already exists with another module or options.");
            }

            return;
        }

        state.State = new TaskGrainState { Spec = spec };
        _results = null;
        await state.WriteStateAsync();
    }

    public async Task<AddItemsResult> AddItemsAsync(long firstIndex, IReadOnlyList<string> items, bool last)
    {
        var task = state.State;
        if (task.Spec is null)
        {
            throw new InvalidOperationException($"Task {GrainKey} does not exist; create it before adding items.");
        }

        if (firstIndex > task.Items)
        {
            throw new ArgumentOutOfRangeException(nameof(firstIndex), $"Items {task.Items} to {firstIndex - 1} of task {GrainKey} were never added.");
        }

        if (task.InputComplete && firstIndex + items.Count > task.Items)
        {
            throw new InvalidOperationException($"The input of task {GrainKey} is complete; no items can be added.");
        }

        // A retried batch overlaps what was already added: only its new tail counts.
        for (var i = (int)(task.Items - firstIndex); i < items.Count; i++)
        {
            _waiting.Enqueue((task.Items, items[i]));
            task.Items++;
        }

        task.InputComplete |= last;
        await state.WriteStateAsync();
        Results.SetInput(task.Items, task.InputComplete);
        StartJobs();
        return new AddItemsResult(task.Items);
    }

    public Task<ResultPage> ReadResultsAsync(long cursor, int max, TimeSpan wait)
    {
        if (state.State.Spec is null)
        {
            throw new InvalidOperationException($"Task {GrainKey} does not exist.");
        }

        return Results.ReadAsync(cursor, Math.Clamp(max, 1, 10_000), wait);
    }

    public Task ReportAsync(JobReport report)
    {
        if (!Results.Add(report))
        {
            return Task.CompletedTask;
        }

        _active--;
        if (report.Error is null)
        {
            state.State.Done++;
        }
        else
        {
            state.State.Failed++;
        }

        if (report.ErrorKind == JobErrorKind.Module && report.Error is not null)
        {
            // The module cannot run: starting further jobs would only repeat its error.
            _waiting.Clear();
        }

        StartJobs();
        return Task.CompletedTask;
    }

    public Task<TaskProgress> GetProgressAsync()
    {
        var task = state.State;
        return Task.FromResult(new TaskProgress(task.Items, task.InputComplete, task.Done, task.Failed, _active));
    }

    private void StartJobs()
    {
        var spec = state.State.Spec!;
        while (_active < options.Value.MaxActiveJobsPerTask && _waiting.TryDequeue(out var next))
        {
            _active++;
            var job = new JobSpec(GrainKey, next.Index, next.Item, spec.ModuleHash, spec.Options.JobTimeout, spec.Options.MaxAttempts);
            _ = GrainFactory.GetGrain<IJobGrain>(job.JobKey).StartAsync(job);
        }
    }
}

/// <summary>The stored form of a task.</summary>
internal sealed class TaskGrainState
{
    public TaskSpec? Spec { get; set; }

    public long Items { get; set; }

    public bool InputComplete { get; set; }

    public long Done { get; set; }

    public long Failed { get; set; }
}

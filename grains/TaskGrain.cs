using GridActors.Grains.Storage;
using GridActors.Grid;
using GridActors.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Grains;

/// <summary>
/// A task. Items are stored in the <see cref="ITaskStore"/> as they arrive and wait there; at most
/// <see cref="GridOptions.MaxActiveJobsPerTask"/> jobs run at once, so an endless stream flows with
/// bounded memory. Jobs store their results in the store and tell the task, whose
/// <see cref="ResultLog"/> serves them in input order. The task belongs to the grid: a reminder
/// brings it back on another silo when its own dies, and it carries on from its stored state.
/// </summary>
internal sealed partial class TaskGrain(
    [PersistentState("task")] IPersistentState<TaskGrainState> state,
    ITaskStore store,
    IOptions<GridOptions> options,
    ILogger<TaskGrain> logger) : Grain, ITaskGrain, IRemindable
{
    internal const string KeepAliveReminder = "keep-alive";

    /// <summary>Items read from the store at a time when the task runs out of items in memory.</summary>
    private const int LoadBatch = 1024;

    /// <summary>The most waiting items held in memory; the rest wait in the store.</summary>
    private const int WaitingLimit = 65_536;

    // Items from _nextToStart up to _loadedBelow that still need a job.
    private readonly Queue<(long Index, string Item)> _waiting = new();
    private readonly Lock _startLock = new();

    // Jobs whose (one-way) start call is not yet handed over, and those whose call failed and must be repeated.
    private readonly SortedSet<long> _starting = [];
    private readonly Queue<JobSpec> _failedStarts = new();
    private ResultLog? _results;
    private long _nextToStart;
    private long _loadedBelow;
    private long _finished;

    private ResultLog Results => _results ??= NewResultLog();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var task = state.State;
        if (task.Spec is null)
        {
            return;
        }

        // Carry on where the last activation left off. Every job from the first without a result is
        // started again: one that runs answers a second start by doing nothing, one whose silo died
        // with the last activation comes back and checks its lease at once, and one never started
        // (past StartedBelow) starts. Items with a stored result are gone from the store: skipped.
        _nextToStart = _loadedBelow = Math.Min(task.ResultsBelow, task.StartedBelow);
        _finished = (await store.CountAsync(GrainKey)).Finished;
        Results.SetInput(task.Items, task.InputComplete, task.ModuleError);
        if (task.Cancelled)
        {
            Results.Cancel(task.Items);
        }

        LogResumed(logger, GrainKey, _finished, task.Items, _nextToStart);
        await StartJobsAsync();
    }

    [LoggerMessage(EventId = 510, Level = LogLevel.Debug, Message = "Task {Task} activated again: {Finished} of {Items} items finished; starting jobs again from item {From}")]
    private static partial void LogResumed(ILogger logger, string task, long finished, long items, long from);

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

        state.State = new TaskGrainState { Spec = spec, Created = TimeProvider.GetUtcNow() };
        _results = null;
        // The reminder and the list entry go together; the state, which says the task exists, only
        // after both: a task that exists always has its reminder.
        await Task.WhenAll(
            RegisterOrUpdateReminder(KeepAliveReminder, options.Value.TaskCheckPeriod, options.Value.TaskCheckPeriod),
            store.RegisterAsync(GrainKey, state.State.Created));
        await state.WriteStateAsync();
    }

    public async Task<AddItemsResult> AddItemsAsync(long firstIndex, IReadOnlyList<string> items, bool last)
    {
        var task = state.State;
        if (task.Spec is null)
        {
            throw new InvalidOperationException($"Task {GrainKey} does not exist; create it before adding items.");
        }

        if (firstIndex < 0 || firstIndex > task.Items)
        {
            throw new ArgumentOutOfRangeException(nameof(firstIndex), $"Items {task.Items} to {firstIndex - 1} of task {GrainKey} were never added.");
        }

        if (task.Cancelled && firstIndex + items.Count > task.Items)
        {
            throw new InvalidOperationException($"Task {GrainKey} was cancelled; no items can be added.");
        }

        if (task.InputComplete && firstIndex + items.Count > task.Items)
        {
            throw new InvalidOperationException($"The input of task {GrainKey} is complete; no items can be added.");
        }

        // A retried batch overlaps what was already added: only its new tail counts.
        var skip = (int)(task.Items - firstIndex);
        if (skip < items.Count)
        {
            var fresh = items.Skip(skip).ToList();
            await store.AddItemsAsync(GrainKey, task.Items, fresh);
            if (_loadedBelow == task.Items && _waiting.Count + fresh.Count <= WaitingLimit)
            {
                foreach (var item in fresh)
                {
                    _waiting.Enqueue((_loadedBelow++, item));
                }
            }

            task.Items += fresh.Count;
        }

        task.InputComplete |= last;
        await SaveAsync();
        Results.SetInput(task.Items, task.InputComplete);
        await StartJobsAsync();
        return new AddItemsResult(task.Items);
    }

    public Task<ResultPage> ReadResultsAsync(long cursor, int max, TimeSpan wait)
    {
        var task = state.State;
        if (task.Spec is null)
        {
            throw new InvalidOperationException($"Task {GrainKey} does not exist.");
        }

        if (cursor < 0 || cursor > task.Items)
        {
            throw new ArgumentOutOfRangeException(nameof(cursor), $"Task {GrainKey} has {task.Items} items; results can be read from 0 to {task.Items}, not from {cursor}.");
        }

        return Results.ReadAsync(cursor, Math.Clamp(max, 1, 10_000), wait);
    }

    public async Task ReportAsync(JobReport report)
    {
        if (state.State.Spec is null || !Results.Add(report))
        {
            return;
        }

        _finished++;
        if (report.ErrorKind == JobErrorKind.Module && report.Error is not null && state.State.ModuleError is null)
        {
            // The module cannot run: starting further jobs would only repeat its error.
            state.State.ModuleError = report.Error;
            _waiting.Clear();
            await SaveAsync();
        }

        await StartJobsAsync();
        await EndIfDoneAsync();
    }

    public async Task<TaskProgress> GetProgressAsync()
    {
        var task = state.State;
        var counts = await store.CountAsync(GrainKey);
        return new TaskProgress(task.Items, task.InputComplete, counts.Done, counts.Failed, Math.Max(0, _nextToStart - _finished));
    }

    public async Task<TaskInfo?> GetInfoAsync()
    {
        var task = state.State;
        if (task.Spec is null)
        {
            return null;
        }

        var taskState = task.Cancelled ? TaskState.Cancelled
            : task.ModuleError is not null ? TaskState.Failed
            : task.Ended is not null ? TaskState.Finished
            : TaskState.Running;
        return new TaskInfo(GrainKey, task.Spec.ModuleName, taskState, task.Created, task.Ended, await GetProgressAsync(), task.ModuleError);
    }

    public async Task<bool> CancelAsync()
    {
        var task = state.State;
        if (task.Spec is null)
        {
            throw new InvalidOperationException($"Task {GrainKey} does not exist.");
        }

        if (task.Ended is not null)
        {
            return false;
        }

        // No job starts from now; the ones started and not finished forget themselves, and whatever
        // they would report is ignored. Results already stored stay.
        task.Cancelled = true;
        task.InputComplete = true;
        task.Ended = TimeProvider.GetUtcNow();
        _waiting.Clear();
        var unfinished = new List<long>();
        for (var index = Results.Contiguous; index < _nextToStart; index++)
        {
            if (!Results.Has(index))
            {
                unfinished.Add(index);
            }
        }

        _loadedBelow = _nextToStart = task.Items;
        await SaveAsync();
        Results.Cancel(task.Items);
        foreach (var index in unfinished)
        {
            _ = GrainFactory.GetGrain<IJobGrain>(JobKeys.Of(GrainKey, index)).CancelAsync();
        }

        _ = GrainFactory.GetGrain<ISchedulerGrain>(JobGrain.SchedulerKey).CancelTaskAsync(GrainKey);

        await KeepUntilRetentionEndsAsync();
        return true;
    }

    public async Task DeleteAsync()
    {
        if (state.State.Spec is null)
        {
            return;
        }

        if (state.State.Ended is null)
        {
            await CancelAsync();
        }

        await UnregisterReminder(KeepAliveReminder);
        await store.DeleteAsync(GrainKey);
        await state.ClearStateAsync();
        state.State = new TaskGrainState();
        _results = null;
        _waiting.Clear();
        DeactivateOnIdle();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var task = state.State;
        if (task.Spec is null)
        {
            await UnregisterReminder(KeepAliveReminder);
            return;
        }

        if (task.Ended is { } ended)
        {
            if (TimeProvider.GetUtcNow() - ended >= options.Value.TaskRetention)
            {
                await DeleteAsync();
            }

            return;
        }

        _finished = Math.Max(_finished, (await store.CountAsync(GrainKey)).Finished);
        await SaveAsync();
        await StartJobsAsync();
        await EndIfDoneAsync();
    }

    /// <summary>Every job has reported, or the module cannot run: the task ends, and is kept for its retention time.</summary>
    private async Task EndIfDoneAsync()
    {
        var task = state.State;
        if (task.Ended is not null || !(task.ModuleError is not null || (task.InputComplete && _finished >= task.Items)))
        {
            return;
        }

        task.Ended = TimeProvider.GetUtcNow();
        await SaveAsync();
        await KeepUntilRetentionEndsAsync();
    }

    /// <summary>Nothing is left to bring back: the reminder now only looks, now and then, whether the task has outlived its retention.</summary>
    private Task KeepUntilRetentionEndsAsync() =>
        RegisterOrUpdateReminder(KeepAliveReminder, options.Value.RetentionCheckPeriod, options.Value.RetentionCheckPeriod);

    private async Task StartJobsAsync()
    {
        var task = state.State;
        var spec = task.Spec!;
        if (task.Cancelled)
        {
            return;
        }

        RetryFailedStarts();
        while (task.ModuleError is null && _nextToStart - _finished < options.Value.MaxActiveJobsPerTask)
        {
            if (_waiting.Count == 0)
            {
                if (_loadedBelow >= task.Items)
                {
                    _nextToStart = _loadedBelow;
                    return;
                }

                // The items are only in the store: after a reactivation, or past what memory holds.
                var count = (int)Math.Min(LoadBatch, task.Items - _loadedBelow);
                foreach (var item in await store.ReadItemsAsync(GrainKey, _loadedBelow, count))
                {
                    _waiting.Enqueue(item);
                }

                _loadedBelow += count;

                // Items not found have their results already: they count as started.
                _nextToStart = _waiting.Count > 0 ? _waiting.Peek().Index : _loadedBelow;
                continue;
            }

            var (index, value) = _waiting.Dequeue();
            _nextToStart = index + 1;
            Start(new JobSpec(GrainKey, index, value, spec.ModuleHash, spec.Options.JobTimeout, spec.Options.MaxAttempts));
        }
    }

    private void Start(JobSpec job)
    {
        lock (_startLock)
        {
            _starting.Add(job.Index);
        }

        GrainFactory.GetGrain<IJobGrain>(job.JobKey).StartAsync(job).ContinueWith(
            (call, state) =>
            {
                var (self, job) = ((TaskGrain, JobSpec))state!;
                lock (self._startLock)
                {
                    if (call.IsCompletedSuccessfully)
                    {
                        self._starting.Remove(job.Index);
                    }
                    else
                    {
                        // Its silo may have died: the job is started again at the task's next turn.
                        self._failedStarts.Enqueue(job);
                    }
                }
            },
            (this, job),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void RetryFailedStarts()
    {
        List<JobSpec> retries;
        lock (_startLock)
        {
            if (_failedStarts.Count == 0)
            {
                return;
            }

            retries = [.. _failedStarts];
            _failedStarts.Clear();
        }

        foreach (var job in retries)
        {
            Start(job);
        }
    }

    /// <summary>Saves the task's state with its watermarks: jobs below StartedBelow were all started, results below ResultsBelow all stored.</summary>
    private Task SaveAsync()
    {
        var task = state.State;
        lock (_startLock)
        {
            task.StartedBelow = _starting.Count > 0 ? Math.Min(_starting.Min, _nextToStart) : _nextToStart;
        }

        task.ResultsBelow = Math.Max(task.ResultsBelow, Results.Contiguous);
        return state.WriteStateAsync();
    }

    private ResultLog NewResultLog()
    {
        var task = state.State;
        return new ResultLog(store, GrainKey, TimeProvider, task.Spec?.Options.KeepResults ?? true, task.ResultsBelow);
    }
}

/// <summary>The stored form of a task. Its items and results are in the <see cref="ITaskStore"/>.</summary>
internal sealed class TaskGrainState
{
    public TaskSpec? Spec { get; set; }

    public long Items { get; set; }

    public bool InputComplete { get; set; }

    /// <summary>Every item below this index has had its job started.</summary>
    public long StartedBelow { get; set; }

    /// <summary>Every item below this index has a stored result.</summary>
    public long ResultsBelow { get; set; }

    /// <summary>Why the module cannot run, once a job found out.</summary>
    public string? ModuleError { get; set; }

    /// <summary>When the task was submitted.</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>When every item had its result, the module was found unable to run, or the task was cancelled.</summary>
    public DateTimeOffset? Ended { get; set; }

    /// <summary>Whether the task was cancelled.</summary>
    public bool Cancelled { get; set; }
}

using GridActors.Grains.Diagnostics;
using GridActors.Grains.Storage;
using GridActors.Grid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Grains.Tasks;

/// <summary>
/// A task. Items are stored in the <see cref="ITaskStore"/> as they arrive and wait there; at most
/// <see cref="GridOptions.MaxActiveJobsPerTask"/> jobs are active at once, so an endless stream flows
/// with bounded memory. The jobs are records of the task (<see cref="TaskJobs"/>): the task queues them
/// at the scheduler, hears where they were sent, takes their outcomes from the volunteers in batches,
/// stores the results (the first per item wins), and serves them in input order from its
/// <see cref="ResultLog"/>. It reissues the jobs whose holder was lost: at once when a silo dies, and at
/// each lease check. The task belongs to the grid: a reminder brings it back on another silo when its
/// own dies, and it carries on from its stored state.
/// </summary>
[Orleans.Placement.PreferLocalPlacement]
internal sealed partial class TaskGrain(
    [PersistentState("task", GridStorage.Name)] IPersistentState<TaskGrainState> state,
    ITaskStore store,
    LocalTasks local,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    TimeProvider time,
    IOptions<GridOptions> options,
    GridTelemetry telemetry,
    ILogger<TaskGrain> logger) : Grain, ITaskGrain, IRemindable
{
    internal const string KeepAliveReminder = "keep-alive";

    /// <summary>Items read from the store at a time when the task runs out of items in memory.</summary>
    private const int LoadBatch = 1024;

    /// <summary>The most waiting items held in memory; the rest wait in the store.</summary>
    private const int WaitingLimit = 65_536;

    // Items from the store not yet started, in index order, up to _loadedBelow.
    private readonly Queue<(long Index, string Item)> _waiting = new();
    private TaskJobs? _jobs;
    private ResultLog? _results;
    private IGrainTimer? _leaseChecks;
    private long _loadedBelow;
    private long _finished;
    private bool _unsaved;

    private string TaskId => this.GetPrimaryKeyString();

    private TaskJobs Jobs => _jobs ??= new TaskJobs(TaskId, state.State.Spec!);

    private ResultLog Results => _results ??= new ResultLog(store, TaskId, time, state.State.Spec?.Options.KeepResults ?? true, state.State.ResultsBelow);

    private ISchedulerGrain Scheduler => GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        local.Add(TaskId);
        var task = state.State;
        if (task.Spec is null)
        {
            return;
        }

        // Carry on where the last activation left off: every item from the first without a known
        // result is started again. Items with a stored result are gone from the store's items, and
        // outcomes of jobs the last activation sent out are still taken when they come here.
        _loadedBelow = task.ResultsBelow;
        _finished = (await store.CountAsync(TaskId)).Finished;
        Results.SetInput(task.Items, task.InputComplete, task.ModuleError);
        if (task.Cancelled)
        {
            Results.Cancel(task.Items);
        }

        if (task.Ended is null)
        {
            LogResumed(logger, TaskId, _finished, task.Items);
            await StartJobsAsync();
            StartLeaseChecks();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        local.Remove(TaskId);
        if (_unsaved && state.State.Spec is not null)
        {
            try
            {
                await SaveAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The watermark is an optimisation: the next activation reads on from the last one saved.
                LogSaveFailed(logger, TaskId, exception.Message);
            }
        }
    }

    public async Task CreateAsync(TaskSpec spec)
    {
        if (state.State.Spec is { } existing)
        {
            if (existing != spec)
            {
                throw new InvalidOperationException($"Task {TaskId} already exists with another module or options.");
            }

            return;
        }

        state.State = new TaskGrainState { Spec = spec, Created = time.GetUtcNow() };
        _results = null;
        _jobs = null;

        // The reminder and the list entry go together; the state, which says the task exists, only
        // after both: a task that exists always has its reminder.
        await Task.WhenAll(
            this.RegisterOrUpdateReminder(KeepAliveReminder, options.Value.TaskCheckPeriod, options.Value.TaskCheckPeriod),
            store.RegisterAsync(TaskId, state.State.Created));
        await state.WriteStateAsync();
        StartLeaseChecks();
    }

    public async Task<AddItemsResult> AddItemsAsync(long firstIndex, IReadOnlyList<string> items, bool last)
    {
        var task = state.State;
        if (task.Spec is null)
        {
            throw new InvalidOperationException($"Task {TaskId} does not exist; create it before adding items.");
        }

        if (firstIndex < 0 || firstIndex > task.Items)
        {
            throw new ArgumentOutOfRangeException(nameof(firstIndex), $"Items {task.Items} to {firstIndex - 1} of task {TaskId} were never added.");
        }

        if (task.Cancelled && firstIndex + items.Count > task.Items)
        {
            throw new InvalidOperationException($"Task {TaskId} was cancelled; no items can be added.");
        }

        if (task.InputComplete && firstIndex + items.Count > task.Items)
        {
            throw new InvalidOperationException($"The input of task {TaskId} is complete; no items can be added.");
        }

        // A retried batch overlaps what was already added: only its new tail counts.
        var skip = (int)(task.Items - firstIndex);
        if (skip < items.Count)
        {
            var fresh = items.Skip(skip).ToList();
            await store.AddItemsAsync(TaskId, task.Items, fresh);
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
        await EndIfDoneAsync();
        return new AddItemsResult(task.Items);
    }

    public Task<ResultPage> ReadResultsAsync(long cursor, int max, TimeSpan wait)
    {
        var task = state.State;
        if (task.Spec is null)
        {
            throw new InvalidOperationException($"Task {TaskId} does not exist.");
        }

        if (cursor < 0 || cursor > task.Items)
        {
            throw new ArgumentOutOfRangeException(nameof(cursor), $"Task {TaskId} has {task.Items} items; results can be read from 0 to {task.Items}, not from {cursor}.");
        }

        return Results.ReadAsync(cursor, Math.Clamp(max, 1, 10_000), wait);
    }

    public async Task CompleteAsync(IReadOnlyList<JobOutcome> outcomes)
    {
        var task = state.State;
        if (task.Spec is null || task.Cancelled || task.Ended is not null)
        {
            return;
        }

        var (reports, retries) = Jobs.Take(outcomes);
        if (retries.Count > 0)
        {
            foreach (var retry in retries)
            {
                LogRetried(logger, TaskId, retry.Index, retry.Attempt - 1);
            }

            telemetry.JobsReissued.Add(retries.Count, new KeyValuePair<string, object?>("reason", "limit"));
            Enqueue(retries);
        }

        if (reports.Count > 0)
        {
            await StoreAsync(reports);
        }

        await StartJobsAsync();
        await EndIfDoneAsync();
    }

    public async Task PlacedAsync(string volunteer, SiloAddress silo, IReadOnlyList<JobAttempt> jobs)
    {
        if (state.State.Spec is null || state.State.Ended is not null)
        {
            return;
        }

        Jobs.Placed(volunteer, silo, jobs);
        if (!IsLive(silo))
        {
            // Sent to a silo that has died since: no need to wait for the next check.
            await CheckLeasesAsync(CancellationToken.None);
        }
    }

    public Task CheckJobsAsync() => CheckLeasesAsync(CancellationToken.None);

    public async Task<TaskProgress> GetProgressAsync()
    {
        var task = state.State;
        var counts = await store.CountAsync(TaskId);
        return new TaskProgress(task.Items, task.InputComplete, counts.Done, counts.Failed, task.Ended is null ? _jobs?.Count ?? 0 : 0);
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
        var gateway = silo.GatewayAddress?.Endpoint is { } endpoint ? $"{endpoint.Address}:{endpoint.Port}" : null;
        return new TaskInfo(TaskId, task.Spec.ModuleName, taskState, task.Created, task.Ended, await GetProgressAsync(), task.ModuleError, gateway);
    }

    public async Task<bool> CancelAsync()
    {
        var task = state.State;
        if (task.Spec is null)
        {
            throw new InvalidOperationException($"Task {TaskId} does not exist.");
        }

        if (task.Ended is not null)
        {
            return false;
        }

        // No job starts from now; the ones started and not finished are forgotten, and whatever their
        // volunteers report is ignored. Results already stored stay.
        task.Cancelled = true;
        task.InputComplete = true;
        task.Ended = time.GetUtcNow();
        _waiting.Clear();
        _loadedBelow = task.Items;
        Jobs.Clear();
        StopLeaseChecks();
        await SaveAsync();
        Results.Cancel(task.Items);
        await StopJobsAsync();
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

        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await store.DeleteAsync(TaskId);
        await state.ClearStateAsync();
        state.State = new TaskGrainState();
        _results = null;
        _jobs = null;
        _unsaved = false;
        _waiting.Clear();
        this.DeactivateOnIdle();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var task = state.State;
        if (task.Spec is null)
        {
            // A task deleted half-way (its reminder outlived its state): the reminder goes too.
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            DeactivateOnIdle();
            return;
        }

        if (task.Ended is { } ended)
        {
            if (time.GetUtcNow() - ended >= options.Value.TaskRetention)
            {
                await DeleteAsync();
            }

            return;
        }

        // Being active again is the point: the activation restarted the jobs. The count catches up
        // with results stored by jobs whose outcomes reached an activation that has died since.
        _finished = Math.Max(_finished, (await store.CountAsync(TaskId)).Finished);
        await StartJobsAsync();
        await EndIfDoneAsync();
    }

    /// <summary>
    /// Asks whoever should hold each job whether it still does: the volunteer it was sent to, or the
    /// scheduler while it is queued. Jobs nobody holds are reissued (their attempts do not count), as
    /// are the jobs of volunteers whose silo Orleans has declared Dead, without asking.
    /// </summary>
    private async Task CheckLeasesAsync(CancellationToken cancellationToken)
    {
        if (state.State.Spec is null || state.State.Ended is not null)
        {
            return;
        }

        List<JobAttempt> lost = [];
        foreach (var (volunteer, siloAddress, jobs) in Jobs.WithVolunteers())
        {
            if (!IsLive(siloAddress))
            {
                lost.AddRange(jobs);
                continue;
            }

            try
            {
                lost.AddRange(await GrainFactory.GetGrain<IVolunteerGrain>(volunteer).LostAsync(TaskId, jobs));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogCheckFailed(logger, TaskId, volunteer, exception.Message);
                if (!IsLive(siloAddress))
                {
                    lost.AddRange(jobs);
                }
            }
        }

        var queued = Jobs.Queued();
        if (queued.Count > 0)
        {
            try
            {
                lost.AddRange(await Scheduler.LostAsync(TaskId, queued));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The scheduler's silo may be dying: the next check asks its next activation.
                LogCheckFailed(logger, TaskId, "the scheduler", exception.Message);
            }
        }

        if (lost.Count > 0)
        {
            var reissued = Jobs.Reissue(lost, "lost: its holder died or no longer held it");
            LogReissued(logger, TaskId, reissued.Count);
            telemetry.JobsReissued.Add(reissued.Count, new KeyValuePair<string, object?>("reason", "lost"));
            Enqueue(reissued);
        }

        if (_unsaved)
        {
            await SaveAsync();
        }
    }

    private bool IsLive(SiloAddress address) =>
        !membership.CurrentSnapshot.Members.TryGetValue(address, out var member) || member.Status != SiloStatus.Dead;

    /// <summary>Stores final reports (results, and failures that end their jobs) and serves them to readers.</summary>
    private async Task StoreAsync(List<JobReport> reports)
    {
        IReadOnlyList<bool> stored;
        try
        {
            stored = await store.AddResultsAsync(TaskId, reports);
        }
        catch
        {
            // The volunteer hands these over again: the jobs are as they were before.
            foreach (var report in reports.Where(r => r.Error is not null))
            {
                Jobs.Reopen(report.Index);
            }

            throw;
        }

        for (var i = 0; i < reports.Count; i++)
        {
            var report = reports[i];
            Jobs.Finished(report.Index);
            if (!stored[i] || !Results.Add(report))
            {
                continue;
            }

            _finished++;
            (report.Error is null ? telemetry.JobsCompleted : telemetry.JobsFailed).Add(1);
            if (report.ErrorKind == JobErrorKind.Module && report.Error is not null && state.State.ModuleError is null)
            {
                // The module cannot run: further jobs would only repeat its error.
                state.State.ModuleError = report.Error;
                _waiting.Clear();
                Jobs.Clear();
                await SaveAsync();
                await StopJobsAsync();
            }
        }

        _unsaved = true;
    }

    /// <summary>Every item has its result, or the module cannot run: the task ends, and is kept for its retention time.</summary>
    private async Task EndIfDoneAsync()
    {
        var task = state.State;
        if (task.Ended is not null || !(task.ModuleError is not null || (task.InputComplete && _finished >= task.Items)))
        {
            return;
        }

        task.Ended = time.GetUtcNow();
        StopLeaseChecks();
        await SaveAsync();
        await KeepUntilRetentionEndsAsync();
    }

    /// <summary>Nothing is left to bring back: the reminder now only looks, now and then, whether the task has outlived its retention.</summary>
    private Task KeepUntilRetentionEndsAsync() =>
        this.RegisterOrUpdateReminder(KeepAliveReminder, options.Value.RetentionCheckPeriod, options.Value.RetentionCheckPeriod);

    /// <summary>Starts jobs for waiting items, loading them from the store as needed, until the active jobs reach their cap.</summary>
    private async Task StartJobsAsync()
    {
        var task = state.State;
        if (task.Spec is null || task.Cancelled || task.ModuleError is not null || task.Ended is not null)
        {
            return;
        }

        List<JobTicket> tickets = [];
        while (Jobs.Count < options.Value.MaxActiveJobsPerTask)
        {
            if (_waiting.Count == 0)
            {
                if (_loadedBelow >= task.Items)
                {
                    break;
                }

                // The items are only in the store: after a reactivation, or past what memory holds.
                // Items not found there have their results already.
                var count = (int)Math.Min(LoadBatch, task.Items - _loadedBelow);
                foreach (var item in await store.ReadItemsAsync(TaskId, _loadedBelow, count))
                {
                    if (!Jobs.Has(item.Index) && !Results.Has(item.Index))
                    {
                        _waiting.Enqueue(item);
                    }
                }

                _loadedBelow += count;
                continue;
            }

            var (index, value) = _waiting.Dequeue();
            tickets.Add(Jobs.Start(index, value));
        }

        Enqueue(tickets);
    }

    /// <summary>
    /// Queues jobs at the scheduler without waiting for it: the task goes on taking outcomes meanwhile.
    /// Should the call fail (the scheduler's silo dying), the jobs stay queued as far as the task knows,
    /// and the next lease check asks the scheduler's next activation, which does not hold them: they are
    /// reissued then.
    /// </summary>
    private void Enqueue(List<JobTicket> tickets)
    {
        if (tickets.Count > 0)
        {
            _ = EnqueueAsync(tickets);
        }
    }

    private async Task EnqueueAsync(List<JobTicket> tickets)
    {
        try
        {
            await Scheduler.EnqueueAsync(tickets);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogEnqueueFailed(logger, TaskId, tickets.Count, exception.Message);
        }
    }

    /// <summary>Has the scheduler drop the task's queued jobs and the volunteers stop its running ones.</summary>
    private async Task StopJobsAsync()
    {
        try
        {
            await Scheduler.CancelTaskAsync(TaskId);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Jobs left running finish on their own; their outcomes are ignored.
            LogStopFailed(logger, TaskId, exception.Message);
        }
    }

    private void StartLeaseChecks()
    {
        var period = options.Value.LeaseCheckPeriod;
        _leaseChecks ??= this.RegisterGrainTimer(CheckLeasesAsync, new GrainTimerCreationOptions(period, period) { Interleave = false, KeepAlive = false });
    }

    private void StopLeaseChecks()
    {
        _leaseChecks?.Dispose();
        _leaseChecks = null;
    }

    /// <summary>Saves the task's state with its watermark: results below ResultsBelow are all stored.</summary>
    private async Task SaveAsync()
    {
        var task = state.State;
        task.ResultsBelow = Math.Max(task.ResultsBelow, Results.Contiguous);
        await state.WriteStateAsync();
        _unsaved = false;
    }
}

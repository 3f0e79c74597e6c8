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

    // As an activation starts: the jobs the last activation left with the scheduler and the volunteers.
    private Dictionary<long, (int Attempt, string? Volunteer, SiloAddress? Silo)>? _held;

    // The registration of the task's reminder, under way or done; the lease check starts it again if it failed.
    private Task _reminder = Task.CompletedTask;
    private bool _reminderMissing;
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
            _reminder = EnsureReminderAsync();
            _held = await FindHeldJobsAsync();
            await StartJobsAsync();
            _held = null;
            StartLeaseChecks();
        }
    }

    /// <remarks>
    /// Nothing is written here: the results watermark is an optimisation (the next activation reads on
    /// from the last one saved, at most a lease check old), and a silo that stops deactivates its grains
    /// as its storage goes too, so a write here would fail and say so at error level.
    /// </remarks>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        local.Remove(TaskId);
        return Task.CompletedTask;
    }

    public async Task CreateAsync(TaskSpec spec) => await SubmitAsync(spec, [], last: false);

    public async Task<AddItemsResult> SubmitAsync(TaskSpec spec, IReadOnlyList<string> items, bool last)
    {
        if (state.RecordExists && state.State.Spec is { } existing)
        {
            if (existing != spec)
            {
                throw new InvalidOperationException($"Task {TaskId} already exists with another module or options.");
            }

            // A repeated submission (the first one's answer was lost): what it wrote beside the state may not be there.
            return await AddAsync(0, items, last, Task.WhenAll(EnsureReminderAsync(), store.RegisterAsync(TaskId, state.State.Created)));
        }

        state.State = new TaskGrainState { Spec = spec, Created = time.GetUtcNow() };
        _results = null;
        _jobs = null;
        _waiting.Clear();
        _loadedBelow = 0;

        // The list entry, the items and the state are written at once; should any of them fail, the
        // client submits again, and the path above mends what is missing. The reminder is registered
        // beside the task's first turns rather than in front of them (it is a round trip to the silo
        // that keeps its range of reminders, and on to Redis): it matters only should this silo die
        // with nobody calling the task, and every later activation of a running task, and every lease
        // check until it is in place, registers it if it is not.
        var added = await AddAsync(0, items, last, store.RegisterAsync(TaskId, state.State.Created));
        _reminder = EnsureReminderAsync();
        StartLeaseChecks();
        return added;
    }

    public Task<AddItemsResult> AddItemsAsync(long firstIndex, IReadOnlyList<string> items, bool last)
    {
        if (state.State.Spec is null)
        {
            throw new InvalidOperationException($"Task {TaskId} does not exist; create it before adding items.");
        }

        return AddAsync(firstIndex, items, last, Task.CompletedTask);
    }

    /// <summary>Adds a batch of items; <paramref name="beside"/> is a write that goes with the batch's, awaited with it.</summary>
    private async Task<AddItemsResult> AddAsync(long firstIndex, IReadOnlyList<string> items, bool last, Task beside)
    {
        var task = state.State;
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

        // A retried batch overlaps what was already added: only its new tail counts. The whole batch
        // is stored again all the same (items that have a result are skipped), and beside the state
        // rather than before it: should either write fail, the client sends the batch again and both
        // are done again, so no accepted item is ever missing from the store.
        var skip = (int)(task.Items - firstIndex);
        if (skip < items.Count)
        {
            if (_loadedBelow == task.Items && _waiting.Count + items.Count - skip <= WaitingLimit)
            {
                for (var i = skip; i < items.Count; i++)
                {
                    _waiting.Enqueue((_loadedBelow++, items[i]));
                }
            }

            task.Items += items.Count - skip;
        }

        task.InputComplete |= last;
        await Task.WhenAll(items.Count > 0 ? store.AddItemsAsync(TaskId, firstIndex, items) : Task.CompletedTask, SaveAsync(), beside);
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
        var holders = Jobs.WithVolunteers().Select(h => h.Volunteer).ToList();
        Jobs.Clear();
        StopLeaseChecks();
        await SaveAsync();
        Results.Cancel(task.Items);
        await StopJobsAsync(holders);
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

        await _reminder;
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

        if (_reminderMissing && _reminder.IsCompleted)
        {
            _reminder = EnsureReminderAsync();
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
                var holders = Jobs.WithVolunteers().Select(h => h.Volunteer).ToList();
                Jobs.Clear();
                await SaveAsync();
                await StopJobsAsync(holders);
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
    private async Task KeepUntilRetentionEndsAsync()
    {
        await _reminder;
        await this.RegisterOrUpdateReminder(KeepAliveReminder, options.Value.RetentionCheckPeriod, options.Value.RetentionCheckPeriod);
    }

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
            if (_held?.Remove(index, out var holder) == true)
            {
                Jobs.Adopt(index, value, holder.Attempt, holder.Volunteer, holder.Silo);
                continue;
            }

            tickets.Add(Jobs.Start(index, value));
        }

        Enqueue(tickets);
    }

    /// <summary>
    /// Asks the scheduler and the volunteer of every live silo which of this task's jobs they hold: a
    /// task that comes back after its silo died takes those back instead of running them again. A
    /// holder that does not answer holds nothing, as far as the task knows; those jobs run again.
    /// </summary>
    private async Task<Dictionary<long, (int Attempt, string? Volunteer, SiloAddress? Silo)>> FindHeldJobsAsync()
    {
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        var asking = silos.Select(async silo => (Silo: (SiloAddress?)silo, Volunteer: (string?)silo.ToParsableString(), Jobs: await AskAsync(GrainFactory.GetGrain<IVolunteerGrain>(silo.ToParsableString()).HeldAsync(TaskId))))
            .Append(AskSchedulerAsync())
            .ToList();
        var held = new Dictionary<long, (int, string?, SiloAddress?)>();
        foreach (var (silo, volunteer, jobs) in await Task.WhenAll(asking))
        {
            foreach (var job in jobs)
            {
                // A job with a volunteer is further on than the same job queued at the scheduler.
                if (!held.TryGetValue(job.Index, out var known) || (known.Item2 is null && volunteer is not null) || known.Item1 < job.Attempt)
                {
                    held[job.Index] = (job.Attempt, volunteer, silo);
                }
            }
        }

        return held;

        async Task<(SiloAddress? Silo, string? Volunteer, IReadOnlyList<JobAttempt> Jobs)> AskSchedulerAsync() =>
            (null, null, await AskAsync(Scheduler.HeldAsync(TaskId)));
    }

    private async Task<IReadOnlyList<JobAttempt>> AskAsync(Task<IReadOnlyList<JobAttempt>> asking)
    {
        try
        {
            return await asking.WaitAsync(TimeSpan.FromSeconds(5), time);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCheckFailed(logger, TaskId, "a holder of its jobs", exception.Message);
            return [];
        }
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

    /// <summary>
    /// Has the scheduler drop the task's queued jobs and tell every volunteer to stop its running ones,
    /// and tells the volunteers the task knows hold its jobs itself too, so that they stop even if the
    /// scheduler's word is lost (its silo dying meanwhile, say).
    /// </summary>
    private async Task StopJobsAsync(IEnumerable<string> holders)
    {
        await Task.WhenAll(holders.Select(v => StopAsync(GrainFactory.GetGrain<IVolunteerGrain>(v).CancelTaskAsync(TaskId))).Append(StopAsync(Scheduler.CancelTaskAsync(TaskId))));

        async Task StopAsync(Task stopping)
        {
            try
            {
                await stopping;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Jobs left running finish on their own; their outcomes are ignored.
                LogStopFailed(logger, TaskId, exception.Message);
            }
        }
    }

    /// <summary>Registers the task's reminder if it has none; a failure is logged, and the next lease check tries again.</summary>
    private async Task EnsureReminderAsync()
    {
        try
        {
            if (await this.GetReminder(KeepAliveReminder) is null)
            {
                await this.RegisterOrUpdateReminder(KeepAliveReminder, options.Value.TaskCheckPeriod, options.Value.TaskCheckPeriod);
            }

            _reminderMissing = false;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _reminderMissing = true;
            LogReminderFailed(logger, TaskId, exception.Message);
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

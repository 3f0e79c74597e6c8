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
    private Dictionary<long, List<(JobAttempt Job, string? Volunteer, SiloAddress? Silo)>>? _held;

    // What the task knows of the volunteers' reputations (under adaptive trust, whether they are trusted).
    private readonly Dictionary<string, Reputation> _reputations = new(StringComparer.Ordinal);
    private bool _comparing;

    // The registration of the task's reminder, under way or done; the lease check starts it again if it failed.
    private Task _reminder = Task.CompletedTask;
    private bool _reminderMissing;
    private long _loadedBelow;
    private long _finished;
    private bool _unsaved;

    private string TaskId => this.GetPrimaryKeyString();

    private TaskJobs Jobs => _jobs ??= new TaskJobs(TaskId, state.State.Spec!, IsTrusted);

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

        if (task.Spec.Options.Trust == TrustMode.Adaptive)
        {
            await LearnReputationsAsync(outcomes.Select(o => o.Identity));
        }

        var (reports, retries) = Jobs.Take(outcomes);
        await TakeDecisionsAsync(reports, retries);
    }

    public async Task ComparedAsync(IReadOnlyList<string> first, IReadOnlyList<string> second, IReadOnlyList<bool>? agree)
    {
        _comparing = false;
        var task = state.State;
        if (task.Spec is null || task.Cancelled || task.Ended is not null)
        {
            return;
        }

        var judged = first.Zip(second).ToList();
        var (reports, retries) = Jobs.Compared(judged, agree ?? [.. judged.Select(_ => false)], moduleCompares: agree is not null);
        await TakeDecisionsAsync(reports, retries);
    }

    /// <summary>Acts on what the jobs' outcomes decided: retries and extra replicas go to the scheduler, results are stored, reputations are told.</summary>
    private async Task TakeDecisionsAsync(List<JobReport> reports, List<JobTicket> retries)
    {
        RecordVerdicts();
        StartComparing();
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

    public async Task PlacedAsync(string volunteer, SiloAddress silo, IReadOnlyList<JobAttempt> jobs, string identity)
    {
        if (state.State.Spec is null || state.State.Ended is not null)
        {
            return;
        }

        Jobs.Placed(volunteer, silo, identity, jobs);
        if (!IsLive(silo))
        {
            // Sent to a silo that has died since: no need to wait for the next check.
            await CheckLeasesAsync(CancellationToken.None);
        }
    }

    public Task CheckJobsAsync() => CheckLeasesAsync(CancellationToken.None);
}

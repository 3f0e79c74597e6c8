using GridActors.Grains.Storage;
using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Runtime.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Grains;

/// <summary>
/// One job. Its reminder asks whoever should hold the job (the scheduler while Pending, the volunteer
/// once Assigned) whether it still does, and reissues the job when not. Attempts lost to a limit or a
/// lost runner are retried up to the task's MaxAttempts; errors of the module's own code are final.
/// A job the grid lost (its holder died or forgot it) is reissued without using up an attempt.
/// The first outcome that ends the job wins: later ones, from older attempts, are ignored.
/// </summary>
internal sealed partial class JobGrain(
    [PersistentState("job")] IPersistentState<JobGrainState> state,
    ITaskStore store,
    VolunteerWatch watch,
    IOptions<GridOptions> options,
    GridTelemetry telemetry,
    ILogger<JobGrain> logger) : Grain, IJobGrain
{
    internal const string LeaseReminder = "lease";
    internal const string SchedulerKey = "default";

    // Who holds the job is kept in memory only: after a reactivation the job asks the scheduler, and a
    // job nobody holds is reissued, which at worst runs it twice; its result is still delivered once.
    private string? _volunteer;

    // Set when this activation found the job already started: its holder is unknown here.
    private bool _restored;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _restored = state.State.Spec is not null;
        return Task.CompletedTask;
    }

    public async Task StartAsync(JobSpec spec)
    {
        if (state.State.Spec is not null)
        {
            if (_restored && _volunteer is null)
            {
                // The task restarts its jobs after its silo died, and so, probably, did this job's
                // last activation: check the lease now instead of at the next reminder.
                await CheckLeaseAsync();
            }

            return;
        }

        state.State = new JobGrainState { Spec = spec, State = JobState.Pending, Attempt = 1 };
        await RegisterOrUpdateReminder(LeaseReminder, options.Value.LeaseCheckPeriod, options.Value.LeaseCheckPeriod);
        await state.WriteStateAsync();
        await Enqueue();
    }

    public Task AssignedAsync(string volunteer, int attempt)
    {
        if (state.State.State == JobState.Pending && attempt == state.State.Attempt)
        {
            Hold(volunteer, attempt);
        }

        return Task.CompletedTask;
    }

    private void Hold(string volunteer, int attempt)
    {
        _volunteer = volunteer;
        watch.UnwatchQueued(GrainKey);
        watch.Watch(volunteer, GrainKey, attempt);
    }

    public async Task VolunteerLostAsync(string volunteer, int attempt)
    {
        var job = state.State;
        if (job.Spec is not null && job.State == JobState.Pending && job.Attempt == attempt && _volunteer == volunteer)
        {
            await FailAttemptAsync($"lost: the silo of volunteer {volunteer} died during attempt {attempt}", JobErrorKind.Lost, retryable: true, counts: false);
        }
    }

    public async Task CompleteAsync(JobOutcome outcome)
    {
        var job = state.State;
        if (job.Spec is null || job.State is JobState.Done or JobState.Failed)
        {
            return;
        }

        if (outcome.Succeeded)
        {
            await FinishAsync(outcome.Result, null, JobErrorKind.Script);
        }
        else if (outcome.Attempt == job.Attempt)
        {
            await FailAttemptAsync(outcome.Error!, outcome.ErrorKind, outcome.Retryable);
        }
    }

    public async Task SchedulerMayBeLostAsync(int attempt)
    {
        var job = state.State;
        if (job.Spec is not null && job.State == JobState.Pending && job.Attempt == attempt && _volunteer is null)
        {
            await CheckLeaseAsync();
        }
    }

    public async Task CancelAsync()
    {
        var job = state.State;
        if (job.Spec is null || job.State is JobState.Done or JobState.Failed)
        {
            return;
        }

        Unwatch();
        await state.ClearStateAsync();
        state.State.State = JobState.Failed;
        await UnregisterReminder(LeaseReminder);
        DeactivateOnIdle();
    }

    public Task<JobStatus> GetStatusAsync()
    {
        var job = state.State;
        var current = job.State == JobState.Pending && _volunteer is not null ? JobState.Assigned : job.State;
        return Task.FromResult(new JobStatus(current, job.Attempt, _volunteer, job.LastError));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var job = state.State;
        if (job.Spec is null || job.State is JobState.Done or JobState.Failed)
        {
            await UnregisterReminder(LeaseReminder);
            return;
        }

        await CheckLeaseAsync();
    }

    /// <summary>Asks whoever should hold the job whether it still does, and reissues the job if not.</summary>
    private async Task CheckLeaseAsync()
    {
        var job = state.State;
        bool held;
        try
        {
            if (_restored && _volunteer is null)
            {
                // This activation came back after the last one died, and an outcome sent to that one
                // died with it. A volunteer the attempt went to is asked whether it still holds it,
                // rather than the scheduler's word taken that it was sent lately.
                _restored = false;
                if (await GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKey).SentToAsync(GrainKey, job.Attempt) is { } volunteer)
                {
                    Hold(volunteer, job.Attempt);
                }
            }

            held = _volunteer is null
                ? await GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKey).HoldsAsync(GrainKey, job.Attempt)
                : await GrainFactory.GetGrain<IVolunteerGrain>(_volunteer).HoldsAsync(GrainKey, job.Attempt);
        }
        catch (GrainCallException)
        {
            held = false;
        }

        if (!held)
        {
            var holder = _volunteer is null ? "the scheduler" : $"volunteer {_volunteer}";
            await FailAttemptAsync($"lost: {holder} no longer held attempt {job.Attempt}", JobErrorKind.Lost, retryable: true, counts: false);
        }
    }

    /// <param name="error">What went wrong.</param>
    /// <param name="kind">Its kind.</param>
    /// <param name="retryable">Whether another attempt may succeed.</param>
    /// <param name="counts">
    /// Whether the failure counts toward MaxAttempts. The job's own failures do (a limit, a runner that
    /// crashed under it); losing whoever held it (the scheduler's queue, a volunteer's silo) does not:
    /// the grid lost the job, the job did nothing wrong.
    /// </param>
    private async Task FailAttemptAsync(string error, JobErrorKind kind, bool retryable, bool counts = true)
    {
        var job = state.State;
        if (counts)
        {
            job.Failures++;
        }

        if (retryable && job.Failures < job.Spec!.MaxAttempts)
        {
            LogReissued(logger, GrainKey, job.Attempt, error);
            job.Attempt++;
            job.LastError = error;
            telemetry.JobsReissued.Add(1, new KeyValuePair<string, object?>("reason", kind.ToString()));
            Unwatch();
            await state.WriteStateAsync();
            await Enqueue();
            return;
        }

        // After retries the error says so, so a user can tell a flaky limit from a job that never fits.
        var final = job.Failures > 1 ? $"{error} (attempt {job.Failures} of {job.Spec!.MaxAttempts})" : error;
        await FinishAsync(null, final, kind);
    }

    private async Task FinishAsync(string? result, string? error, JobErrorKind kind)
    {
        var spec = state.State.Spec!;
        var report = new JobReport(spec.Index, spec.Item, result, error, kind);
        Unwatch();

        // The result is stored before the job forgets itself: should this silo die in between, the
        // reminder runs the job again and the store keeps the first result.
        if (await store.AddResultAsync(spec.TaskId, report))
        {
            (error is null ? telemetry.JobsCompleted : telemetry.JobsFailed).Add(1);
            try
            {
                await GrainFactory.GetGrain<ITaskGrain>(spec.TaskId).ReportAsync(report);
            }
            catch (GrainCallException)
            {
                // The task finds the result in the store when it next looks.
            }
        }

        await state.ClearStateAsync();
        state.State.State = error is null ? JobState.Done : JobState.Failed;
        await UnregisterReminder(LeaseReminder);
        DeactivateOnIdle();
    }

    private void Unwatch()
    {
        watch.UnwatchQueued(GrainKey);
        if (_volunteer is not null)
        {
            watch.Unwatch(_volunteer, GrainKey);
            _volunteer = null;
        }
    }

    public override Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        Unwatch();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "Job {Job}: attempt {Attempt} reissued: {Reason}")]
    private static partial void LogReissued(ILogger logger, string job, int attempt, string reason);

    private Task Enqueue()
    {
        watch.WatchQueued(GrainKey, state.State.Attempt);
        return GrainFactory.GetGrain<ISchedulerGrain>(SchedulerKey).EnqueueAsync([new JobTicket(state.State.Spec!, state.State.Attempt)]);
    }
}

/// <summary>The stored form of a job.</summary>
internal sealed class JobGrainState
{
    public JobSpec? Spec { get; set; }

    public JobState State { get; set; }

    public int Attempt { get; set; }

    public string? LastError { get; set; }

    /// <summary>Attempts that failed on their own, counted toward MaxAttempts.</summary>
    public int Failures { get; set; }
}

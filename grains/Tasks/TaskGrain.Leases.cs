using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>A task's watch over its jobs: its reminder, its lease checks, and taking back held jobs when it comes back.</summary>
internal sealed partial class TaskGrain
{
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
            var reissued = Jobs.Reissue(lost);
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

    /// <summary>
    /// Asks the scheduler and the volunteer of every live silo which of this task's jobs they hold: a
    /// task that comes back after its silo died takes those back instead of running them again. A
    /// holder that does not answer holds nothing, as far as the task knows; those jobs run again.
    /// </summary>
    private async Task<Dictionary<long, List<(JobAttempt Job, string? Volunteer, SiloAddress? Silo)>>> FindHeldJobsAsync()
    {
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        var asking = silos.Select(async silo => (Silo: (SiloAddress?)silo, Volunteer: (string?)silo.ToParsableString(), Jobs: await AskAsync(GrainFactory.GetGrain<IVolunteerGrain>(silo.ToParsableString()).HeldAsync(TaskId))))
            .Append(AskSchedulerAsync())
            .ToList();
        var held = new Dictionary<(long Index, int Replica), (JobAttempt Job, string? Volunteer, SiloAddress? Silo)>();
        foreach (var (silo, volunteer, jobs) in await Task.WhenAll(asking))
        {
            foreach (var job in jobs)
            {
                // A job with a volunteer is further on than the same job queued at the scheduler.
                if (!held.TryGetValue((job.Index, job.Replica), out var known) || (known.Volunteer is null && volunteer is not null) || known.Job.Attempt < job.Attempt)
                {
                    held[(job.Index, job.Replica)] = (job, volunteer, silo);
                }
            }
        }

        return held.GroupBy(h => h.Key.Index).ToDictionary(g => g.Key, g => g.Select(h => h.Value).ToList());

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
}

using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>A task's jobs: starting them, queuing them at the scheduler, stopping them, and storing their results.</summary>
internal sealed partial class TaskGrain
{
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
            foreach (var report in reports)
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
            if (_held?.Remove(index, out var holders) == true)
            {
                tickets.AddRange(Jobs.Adopt(index, value, holders));
                continue;
            }

            tickets.AddRange(Jobs.Start(index, value));
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

    /// <summary>Saves the task's state with its watermark: results below ResultsBelow are all stored.</summary>
    private async Task SaveAsync()
    {
        var task = state.State;
        task.ResultsBelow = Math.Max(task.ResultsBelow, Results.Contiguous);
        await state.WriteStateAsync();
        _unsaved = false;
    }
}

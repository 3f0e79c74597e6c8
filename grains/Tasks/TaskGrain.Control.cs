using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>A task seen and steered from outside: its progress, its facts, cancel and delete.</summary>
internal sealed partial class TaskGrain
{
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
}

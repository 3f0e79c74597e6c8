namespace GridActors.Grid;

/// <summary>
/// The queue of pending jobs of every task. Volunteers ask for work with credits (free slots); the
/// scheduler hands queued jobs to the volunteers of the lowest-load Active silos, and tells each task
/// where its jobs went.
/// </summary>
[Alias("grid.scheduler")]
public interface ISchedulerGrain : IGrainWithStringKey
{
    /// <summary>The key of the grid's one scheduler.</summary>
    const string Key = "default";

    /// <summary>Queues jobs for placement.</summary>
    [Alias("enqueue")]
    Task EnqueueAsync(IReadOnlyList<JobTicket> tickets);

    /// <summary>A volunteer offers <see cref="WorkRequest.Credits"/> more slots.</summary>
    [Alias("request-work")]
    Task RequestWorkAsync(WorkRequest request);

    /// <summary>A volunteer leaves the grid (a browser tab closed): the scheduler forgets it and its credits.</summary>
    [Alias("leave")]
    Task LeaveAsync(string volunteer);

    /// <summary>Drops the queued jobs of a cancelled task and tells every volunteer to stop its running ones.</summary>
    [Alias("cancel-task")]
    Task CancelTaskAsync(string taskId);

    /// <summary>
    /// Which of <paramref name="jobs"/> of the task the scheduler does not hold: neither queued nor on
    /// their way to a volunteer on a live silo. The task reissues those.
    /// </summary>
    [Alias("lost")]
    Task<IReadOnlyList<JobAttempt>> LostAsync(string taskId, IReadOnlyList<JobAttempt> jobs);

    /// <summary>The attempts of the task's jobs that are queued here or on their way to a volunteer on a live silo.</summary>
    [Alias("held")]
    Task<IReadOnlyList<JobAttempt>> HeldAsync(string taskId);

    /// <summary>Queued jobs and the volunteers known, for diagnostics and tests.</summary>
    [Alias("status")]
    Task<SchedulerStatus> GetStatusAsync();
}

namespace GridActors.Grid;

/// <summary>
/// The queue of pending jobs. Volunteers ask for work with credits (free slots); the scheduler hands
/// queued jobs to the volunteers of the lowest-load silos, read from the membership table.
/// </summary>
[GrainType("scheduler")]
public interface ISchedulerGrain : IGrainWithStringKey
{
    /// <summary>Queues jobs for placement.</summary>
    [OneWay]
    Task EnqueueAsync(IReadOnlyList<JobTicket> tickets);

    /// <summary>A volunteer offers <see cref="WorkRequest.Credits"/> more slots.</summary>
    [OneWay]
    Task RequestWorkAsync(WorkRequest request);

    /// <summary>Jobs placed on <paramref name="volunteer"/> that could not be sent to it: queued again.</summary>
    [OneWay]
    Task ReturnAsync(string volunteer, IReadOnlyList<JobTicket> tickets);

    /// <summary>Drops the queued jobs of a cancelled task and tells every volunteer to stop its running ones.</summary>
    [OneWay]
    Task CancelTaskAsync(string taskId);

    /// <summary>
    /// Whether attempt <paramref name="attempt"/> of the job is still queued here, or was sent lately to
    /// a volunteer on a live silo that may not have told the job yet.
    /// </summary>
    Task<bool> HoldsAsync(string jobKey, int attempt);

    /// <summary>
    /// The volunteer attempt <paramref name="attempt"/> of the job was sent to lately, or null. A job
    /// whose grain died and came back asks this: the outcome of that attempt may have died with it.
    /// </summary>
    Task<string?> SentToAsync(string jobKey, int attempt);

    /// <summary>Queued jobs and the volunteers known, for diagnostics and tests.</summary>
    Task<SchedulerStatus> GetStatusAsync();
}

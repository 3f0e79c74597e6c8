namespace GridActors.Grid;

/// <summary>
/// One item of a task (key: "taskId/index"). Its state machine is Pending, Assigned, then Done or
/// Failed; a reminder reissues the job when whoever holds it (the scheduler's queue or a volunteer)
/// no longer does. Completion is idempotent: the first outcome wins, later ones are ignored.
/// </summary>
[GrainType("job")]
public interface IJobGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Starts the job. Starting it again does nothing.</summary>
    [OneWay]
    Task StartAsync(JobSpec spec);

    /// <summary>A volunteer took attempt <paramref name="attempt"/> of the job.</summary>
    [OneWay]
    Task AssignedAsync(string volunteer, int attempt);

    /// <summary>
    /// The silo of <paramref name="volunteer"/> was declared Dead: if the job's attempt
    /// <paramref name="attempt"/> is still with it, the job is reissued now rather than at its next
    /// lease check.
    /// </summary>
    [OneWay]
    Task VolunteerLostAsync(string volunteer, int attempt);

    /// <summary>
    /// A volunteer finished an attempt, with a result or an error. It returns once the job has taken
    /// the outcome (stored it, or retried the attempt): until then the volunteer still answers that it
    /// holds the attempt, so a lease check made while the outcome is on its way does not reissue it.
    /// </summary>
    Task CompleteAsync(JobOutcome outcome);

    /// <summary>The job's current state, for diagnostics and tests.</summary>
    Task<JobStatus> GetStatusAsync();

    /// <summary>A silo died, perhaps the scheduler's: a job still queued there checks its lease now.</summary>
    [OneWay]
    Task SchedulerMayBeLostAsync(int attempt);

    /// <summary>Its task was cancelled: the job forgets itself, and an outcome that comes later is ignored.</summary>
    [OneWay]
    Task CancelAsync();
}

namespace GridActors.Grid;

/// <summary>
/// A contributor of CPU: a silo's runner pool, keyed by its silo's address and active only there. It
/// asks the scheduler for work, runs the jobs it is given in its runners and hands each outcome to
/// the job's task.
/// </summary>
[Alias("grid.volunteer")]
public interface IVolunteerGrain : IGrainWithStringKey
{
    /// <summary>Starts asking for work. Sent by its silo once the silo is active.</summary>
    [Alias("start")]
    Task StartAsync();

    /// <summary>
    /// Jobs placed on this volunteer by the scheduler. False when they are refused: every runner is
    /// held by a job that is taking its time, and the jobs would only wait here.
    /// </summary>
    [Alias("run")]
    Task<bool> RunAsync(IReadOnlyList<JobTicket> tickets);

    /// <summary>Drops and stops the jobs of a cancelled task.</summary>
    [Alias("cancel-task")]
    Task CancelTaskAsync(string taskId);

    /// <summary>
    /// Which of <paramref name="jobs"/> of the task are not here: neither queued, running, nor done
    /// with their outcome still being handed over. The task reissues those.
    /// </summary>
    [Alias("lost")]
    Task<IReadOnlyList<JobAttempt>> LostAsync(string taskId, IReadOnlyList<JobAttempt> jobs);

    /// <summary>
    /// The attempts of the task's jobs that are here (queued, running, or their outcomes on the way).
    /// A task that comes back after its silo died asks, and takes them back rather than running them again.
    /// </summary>
    [Alias("held")]
    Task<IReadOnlyList<JobAttempt>> HeldAsync(string taskId);

    /// <summary>Tells the scheduler every free slot now (a silo died, perhaps the scheduler's).</summary>
    [Alias("announce")]
    Task AnnounceAsync();

    /// <summary>
    /// Judges pairs of a task's results with its module's compare function, in one of this silo's
    /// runners: true where a pair agrees. Null when the module exports no compare function (results
    /// then agree when their JSON is equal). Fails on a volunteer with no runners (a browser, or a
    /// silo with --cpus 0).
    /// </summary>
    [AlwaysInterleave, Alias("compare")]
    Task<IReadOnlyList<bool>?> CompareAsync(string taskId, string moduleHash, IReadOnlyList<string> pairs);

    /// <summary>The volunteer's statistics.</summary>
    [Alias("stats")]
    Task<VolunteerStats> GetStatsAsync();
}

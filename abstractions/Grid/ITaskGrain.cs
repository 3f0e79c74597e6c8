namespace GridActors.Grid;

/// <summary>
/// A task: one module and an ordered stream of items, each item a job. The task keeps its jobs as
/// records (index, attempt, volunteer), hands them to the scheduler, takes their outcomes from the
/// volunteers, and serves the results back in input order from a cursor. It belongs to the grid, not
/// to the client that submitted it: its items and results are stored, and a reminder brings it back
/// on a live silo when its own dies.
/// </summary>
[Alias("grid.task")]
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>Creates the task. Creating it again with the same spec does nothing.</summary>
    [Alias("create")]
    Task CreateAsync(TaskSpec spec);

    /// <summary>
    /// Creates the task with its first items (indexes 0 on) in one call, which is one write of the
    /// task's state rather than two: how a client submits. Submitting again with the same spec adds
    /// what <see cref="AddItemsAsync"/> would add from index 0.
    /// </summary>
    [Alias("submit")]
    Task<AddItemsResult> SubmitAsync(TaskSpec spec, IReadOnlyList<string> items, bool last);

    /// <summary>
    /// Adds items. <paramref name="firstIndex"/> is the index of the first item of the batch, so a
    /// retried batch is not added twice. <paramref name="last"/> says the input is complete.
    /// </summary>
    [Alias("add-items")]
    Task<AddItemsResult> AddItemsAsync(long firstIndex, IReadOnlyList<string> items, bool last);

    /// <summary>
    /// Returns results in input order from <paramref name="cursor"/>, at most <paramref name="max"/>,
    /// waiting up to <paramref name="wait"/> when none is ready yet.
    /// </summary>
    [AlwaysInterleave, Alias("read-results")]
    Task<ResultPage> ReadResultsAsync(long cursor, int max, TimeSpan wait);

    /// <summary>
    /// Outcomes of attempts, from the volunteer that ran them. It returns once the task has taken them
    /// (stored the results, or queued retries): until then the volunteer still holds the attempts.
    /// </summary>
    [Alias("complete")]
    Task CompleteAsync(IReadOnlyList<JobOutcome> outcomes);

    /// <summary>The scheduler sent these attempts to <paramref name="volunteer"/> on <paramref name="silo"/>; <paramref name="identity"/> is who it is to reputation.</summary>
    [Alias("placed")]
    Task PlacedAsync(string volunteer, SiloAddress silo, IReadOnlyList<JobAttempt> jobs, string identity);

    /// <summary>
    /// The module's compare function judged pairs of results (<paramref name="first"/>[i] against
    /// <paramref name="second"/>[i], canonical JSON); <paramref name="agree"/> is null when the module
    /// exports none. Sent by the task to itself, once a silo's runner has answered.
    /// </summary>
    [Alias("compared")]
    Task ComparedAsync(IReadOnlyList<string> first, IReadOnlyList<string> second, IReadOnlyList<bool>? agree);

    /// <summary>A silo died: each job looks at once whether whoever should hold it still does.</summary>
    [Alias("check-jobs")]
    Task CheckJobsAsync();

    /// <summary>The task's progress counters.</summary>
    [Alias("progress")]
    Task<TaskProgress> GetProgressAsync();

    /// <summary>What the task is and how far it got; null when no such task exists (never created, or deleted).</summary>
    [Alias("info")]
    Task<TaskInfo?> GetInfoAsync();

    /// <summary>
    /// Stops the task: no job starts any more, jobs not finished are dropped, and results already
    /// stored stay readable; the items without one read as cancelled. False when it had already ended.
    /// </summary>
    [Alias("cancel")]
    Task<bool> CancelAsync();

    /// <summary>Cancels the task and removes it and everything stored for it.</summary>
    [Alias("delete")]
    Task DeleteAsync();
}

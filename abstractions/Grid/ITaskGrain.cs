namespace GridActors.Grid;

/// <summary>
/// A task: one module and an ordered stream of items. It starts a job per item, collects their
/// outcomes and serves them back in input order from a cursor. The task belongs to the grid, not to
/// the client that submitted it.
/// </summary>
[GrainType("task")]
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>Creates the task. Creating it again with the same spec does nothing.</summary>
    Task CreateAsync(TaskSpec spec);

    /// <summary>
    /// Adds items. <paramref name="firstIndex"/> is the index of the first item of the batch, so a
    /// retried batch is not added twice. <paramref name="last"/> says the input is complete.
    /// </summary>
    Task<AddItemsResult> AddItemsAsync(long firstIndex, IReadOnlyList<string> items, bool last);

    /// <summary>
    /// Returns results in input order from <paramref name="cursor"/>, at most <paramref name="max"/>,
    /// waiting up to <paramref name="wait"/> when none is ready yet.
    /// </summary>
    [AlwaysInterleave]
    Task<ResultPage> ReadResultsAsync(long cursor, int max, TimeSpan wait);

    /// <summary>Records the final outcome of a job. Sent by the job grain.</summary>
    [OneWay]
    Task ReportAsync(JobReport report);

    /// <summary>The task's progress counters.</summary>
    Task<TaskProgress> GetProgressAsync();

    /// <summary>What the task is and how far it got; null when no such task exists (never created, or deleted).</summary>
    Task<TaskInfo?> GetInfoAsync();

    /// <summary>
    /// Stops the task: no job starts any more, jobs not finished are dropped, and results already
    /// stored stay readable; the items without one read as cancelled. False when it had already ended.
    /// </summary>
    Task<bool> CancelAsync();

    /// <summary>Cancels the task and removes it and everything stored for it.</summary>
    Task DeleteAsync();
}

using GridActors.Grid;

namespace GridActors.Grains.Storage;

/// <summary>
/// Where a task keeps its input and its results, apart from the task grain's own small state. Items
/// are stored when they are accepted and removed when their result is stored; results stay until the
/// task's reader moves past them (a `grid run`) or the task is deleted. Because both live here and
/// not in the task's activation, a task survives the loss of the silo that hosted it: the next
/// activation reads on from the store.
/// </summary>
public interface ITaskStore
{
    /// <summary>Stores items from <paramref name="firstIndex"/> on. Storing an index again overwrites it with the same item.</summary>
    Task AddItemsAsync(string taskId, long firstIndex, IReadOnlyList<string> items);

    /// <summary>The items in [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>) that have no result yet, in index order.</summary>
    Task<IReadOnlyList<(long Index, string Item)>> ReadItemsAsync(string taskId, long from, int count);

    /// <summary>
    /// Stores jobs' final reports; for each, removes its item and counts it as done or failed, all at
    /// once. For each report, false when its index already had a result: the first report wins.
    /// </summary>
    Task<IReadOnlyList<bool>> AddResultsAsync(string taskId, IReadOnlyList<JobReport> reports);

    /// <summary>The results in [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>), null where there is none.</summary>
    Task<IReadOnlyList<JobReport?>> ReadResultsAsync(string taskId, long from, int count);

    /// <summary>How many results were ever stored, successes and failures apart (forgetting results does not lower them).</summary>
    Task<ResultCounts> CountAsync(string taskId);

    /// <summary>Forgets the results (and any items) below <paramref name="below"/> from <paramref name="from"/> on: they have been read for good.</summary>
    Task ForgetAsync(string taskId, long from, long below);

    /// <summary>Adds the task to the grid's list of tasks; adding it again keeps its first time.</summary>
    Task RegisterAsync(string taskId, DateTimeOffset created);

    /// <summary>The tasks registered and not deleted, oldest first.</summary>
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>Removes everything stored for the task, and the task from the list.</summary>
    Task DeleteAsync(string taskId);
}

/// <summary>Counts of a task's stored results.</summary>
/// <param name="Done">Jobs that succeeded.</param>
/// <param name="Failed">Jobs that failed.</param>
public readonly record struct ResultCounts(long Done, long Failed)
{
    /// <summary>Jobs finished either way.</summary>
    public long Finished => Done + Failed;
}

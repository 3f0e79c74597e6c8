namespace GridActors.Grid;

/// <summary>One attempt of a job, as the scheduler queues it and a volunteer runs it.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Index">The item's position in the task's input.</param>
/// <param name="Attempt">The attempt, from 1.</param>
/// <param name="Item">The item as JSON text.</param>
/// <param name="ModuleHash">The module to run.</param>
/// <param name="Timeout">The job's wall-time limit.</param>
[GenerateSerializer, Immutable, Alias("grid.job-ticket")]
public sealed record JobTicket(
    [property: Id(0)] string TaskId,
    [property: Id(1)] long Index,
    [property: Id(2)] int Attempt,
    [property: Id(3)] string Item,
    [property: Id(4)] string ModuleHash,
    [property: Id(5)] TimeSpan Timeout)
{
    /// <summary>The job and attempt without the item.</summary>
    public JobAttempt Job => new(Index, Attempt);
}

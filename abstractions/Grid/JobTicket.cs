namespace GridActors.Grid;

/// <summary>One attempt of a job, as the scheduler queues it and a volunteer runs it.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Index">The item's position in the task's input.</param>
/// <param name="Attempt">The attempt, from 1.</param>
/// <param name="Item">The item as JSON text.</param>
/// <param name="ModuleHash">The module to run.</param>
/// <param name="Timeout">The job's wall-time limit.</param>
/// <param name="Replica">Which of the item's replicas this is (from 0).</param>
/// <param name="Seed">Seeds the job's Math.random, so that replicas of one item can agree; null leaves it unseeded.</param>
/// <param name="Avoid">Volunteers (by identity) that ran or run another replica of the item: the scheduler places this one elsewhere while any other volunteer is there.</param>
[GenerateSerializer, Immutable, Alias("grid.job-ticket")]
public sealed record JobTicket(
    [property: Id(0)] string TaskId,
    [property: Id(1)] long Index,
    [property: Id(2)] int Attempt,
    [property: Id(3)] string Item,
    [property: Id(4)] string ModuleHash,
    [property: Id(5)] TimeSpan Timeout,
    [property: Id(6)] int Replica = 0,
    [property: Id(7)] string? Seed = null,
    [property: Id(8)] IReadOnlyList<string>? Avoid = null)
{
    /// <summary>The job and attempt without the item.</summary>
    public JobAttempt Job => new(Index, Attempt, Replica);

    /// <summary>Whether the item runs on several volunteers, so where this replica goes matters.</summary>
    public bool Replicated => Seed is not null;
}

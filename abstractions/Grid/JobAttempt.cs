namespace GridActors.Grid;

/// <summary>An attempt of one of a task's jobs: the item's index, the attempt number, and the replica.</summary>
/// <param name="Index">The item's position in the task's input.</param>
/// <param name="Attempt">The attempt, from 1.</param>
/// <param name="Replica">Which of the item's replicas (from 0); a task whose results are not checked runs replica 0 only.</param>
[GenerateSerializer, Immutable, Alias("grid.job-attempt")]
public readonly record struct JobAttempt([property: Id(0)] long Index, [property: Id(1)] int Attempt, [property: Id(2)] int Replica = 0);

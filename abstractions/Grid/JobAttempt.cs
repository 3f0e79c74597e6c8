namespace GridActors.Grid;

/// <summary>An attempt of one of a task's jobs: the item's index and the attempt number.</summary>
/// <param name="Index">The item's position in the task's input.</param>
/// <param name="Attempt">The attempt, from 1.</param>
[GenerateSerializer, Immutable, Alias("grid.job-attempt")]
public readonly record struct JobAttempt([property: Id(0)] long Index, [property: Id(1)] int Attempt);

namespace GridActors.Grid;

/// <summary>A task's counters.</summary>
/// <param name="Items">Items added so far.</param>
/// <param name="InputComplete">Whether the input has ended.</param>
/// <param name="Done">Jobs that succeeded.</param>
/// <param name="Failed">Jobs that failed.</param>
/// <param name="Started">Jobs started and not yet finished.</param>
[GenerateSerializer, Immutable, Alias("grid.task-progress")]
public sealed record TaskProgress(
    [property: Id(0)] long Items,
    [property: Id(1)] bool InputComplete,
    [property: Id(2)] long Done,
    [property: Id(3)] long Failed,
    [property: Id(4)] long Started);

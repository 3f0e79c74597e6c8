namespace GridActors.Grid;

/// <summary>The answer to an <see cref="ITaskGrain.AddItemsAsync"/>.</summary>
/// <param name="NextIndex">The index the next item will get.</param>
[GenerateSerializer, Immutable, Alias("grid.add-items-result")]
public sealed record AddItemsResult([property: Id(0)] long NextIndex);

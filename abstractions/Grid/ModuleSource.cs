namespace GridActors.Grid;

/// <summary>A stored module.</summary>
/// <param name="Name">The file name it was submitted as.</param>
/// <param name="Source">The JavaScript source.</param>
[GenerateSerializer, Immutable, Alias("grid.module-source")]
public sealed record ModuleSource([property: Id(0)] string Name, [property: Id(1)] string Source);

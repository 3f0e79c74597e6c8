namespace GridActors.Grid;

/// <summary>A page of results in input order.</summary>
/// <param name="Results">The results from the cursor on.</param>
/// <param name="NextCursor">The cursor to read from next.</param>
/// <param name="Finished">The input is complete and every result has been read.</param>
/// <param name="ModuleError">The module cannot run at all; no further results will come.</param>
[GenerateSerializer, Immutable, Alias("grid.result-page")]
public sealed record ResultPage(
    [property: Id(0)] IReadOnlyList<JobReport> Results,
    [property: Id(1)] long NextCursor,
    [property: Id(2)] bool Finished,
    [property: Id(3)] string? ModuleError);

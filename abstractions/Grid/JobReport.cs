namespace GridActors.Grid;

/// <summary>The final outcome of a job, as its task stores it and serves it to readers.</summary>
/// <param name="Index">The item's index.</param>
/// <param name="Item">The item as JSON text.</param>
/// <param name="Result">The result as JSON text, or null when the job failed.</param>
/// <param name="Error">The last error, or null when the job succeeded.</param>
/// <param name="ErrorKind">The kind of the last error.</param>
/// <param name="Volunteers">For a task that checks results: the volunteers (by identity) whose replicas agreed on it; null otherwise.</param>
[GenerateSerializer, Immutable, Alias("grid.job-report")]
public sealed record JobReport(
    [property: Id(0)] long Index,
    [property: Id(1)] string Item,
    [property: Id(2)] string? Result,
    [property: Id(3)] string? Error,
    [property: Id(4)] JobErrorKind ErrorKind,
    [property: Id(5)] IReadOnlyList<string>? Volunteers = null);

namespace GridActors.Grid;

/// <summary>The outcome of one attempt of a job, as its volunteer hands it to the task.</summary>
/// <param name="Index">The item's index.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Volunteer">Who ran it.</param>
/// <param name="Result">The result as JSON text, when it succeeded.</param>
/// <param name="Error">The error, when it failed.</param>
/// <param name="ErrorKind">The kind of error.</param>
/// <param name="Replica">Which of the item's replicas it was.</param>
/// <param name="Identity">Who ran it, as reputation knows volunteers: a silo's name, or a browser's id and invitation key.</param>
[GenerateSerializer, Immutable, Alias("grid.job-outcome")]
public sealed record JobOutcome(
    [property: Id(0)] long Index,
    [property: Id(1)] int Attempt,
    [property: Id(2)] string Volunteer,
    [property: Id(3)] string? Result,
    [property: Id(4)] string? Error,
    [property: Id(5)] JobErrorKind ErrorKind,
    [property: Id(6)] int Replica = 0,
    [property: Id(7)] string Identity = "")
{
    /// <summary>The job and attempt.</summary>
    public JobAttempt Job => new(Index, Attempt, Replica);

    /// <summary>Whether the attempt produced a result.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Whether another attempt may succeed where this one failed.</summary>
    public bool Retryable => Error is not null && ErrorKind is JobErrorKind.Timeout or JobErrorKind.Memory or JobErrorKind.Lost or JobErrorKind.Withdrawn;
}

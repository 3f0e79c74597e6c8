namespace GridActors.Grid;

/// <summary>How the jobs of a task run.</summary>
/// <param name="JobTimeout">Wall-time limit of one job.</param>
/// <param name="MaxAttempts">Attempts per job before it is reported failed; runners lost to a limit or a crash count, errors thrown by the module fail at once.</param>
/// <param name="KeepResults">Keep results after they are read, so they can be read again. An embedded `grid run` reads them once.</param>
[GenerateSerializer, Immutable, Alias("grid.task-options")]
public sealed record TaskOptions([property: Id(0)] TimeSpan JobTimeout, [property: Id(1)] int MaxAttempts, [property: Id(2)] bool KeepResults)
{
    /// <summary>The defaults a user gets without flags: 60 s a job, 3 attempts.</summary>
    public static TaskOptions Default { get; } = new(TimeSpan.FromSeconds(60), 3, KeepResults: true);
}

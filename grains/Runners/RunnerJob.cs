using GridActors.Grid;

namespace GridActors.Grains.Runners;

/// <summary>A job for the runner pool. <paramref name="OnDone"/> is called exactly once, on a pool thread.</summary>
/// <param name="ModuleHash">The module, added to the pool with <see cref="RunnerPool.AddModule"/>.</param>
/// <param name="Item">The item as JSON text.</param>
/// <param name="Timeout">The wall-time limit.</param>
/// <param name="OnDone">Receives the outcome.</param>
public sealed record RunnerJob(string ModuleHash, string Item, TimeSpan Timeout, Action<RunnerJob, RunnerResult> OnDone)
{
    /// <summary>The grid's name for the job (its job key), so a cancelled task's jobs can be found.</summary>
    public string? Key { get; init; }

    /// <summary>The job's task: jobs of one task share a JavaScript engine in a runner, jobs of different tasks never do. Null: a task of its own per module.</summary>
    public string? Task { get; init; }

    /// <summary>Seeds the job's Math.random, so that replicas of one item draw the same numbers; null leaves it unseeded.</summary>
    public string? Seed { get; init; }

    /// <summary>Not a job: its item is pairs of results ([[a, b], ...]) for the module's compare function, and its value a JSON array of booleans, or null when the module exports none.</summary>
    public bool Compare { get; init; }

    internal long Id { get; set; }

    /// <summary>Its task was cancelled: it must not be started again after its runner stops.</summary>
    internal bool Cancelled { get; set; }
}

/// <summary>What a runner made of a job.</summary>
/// <param name="Value">The result as JSON text, or null when the job failed.</param>
/// <param name="Error">The error, or null.</param>
/// <param name="ErrorKind">The kind of error.</param>
/// <param name="Elapsed">The time the job ran.</param>
public sealed record RunnerResult(string? Value, string? Error, JobErrorKind ErrorKind, TimeSpan Elapsed);

namespace GridActors.Runner.Protocol;

/// <summary>A message from the silo to its runner.</summary>
/// <param name="Kind">"load" a module, "run" a job, or "compare" results.</param>
/// <param name="Id">The job id (run).</param>
/// <param name="Module">The module's content hash.</param>
/// <param name="Source">The module's source (load).</param>
/// <param name="Name">The module's file name, for messages (load).</param>
/// <param name="Item">The job's item as JSON text (run).</param>
/// <param name="More">More requests follow at once: the runner may hold its reply back and send replies in a batch.</param>
/// <param name="Task">The job's task (run): jobs of one task share an engine, jobs of different tasks never do.</param>
/// <param name="TimeoutMs">The job's time limit in milliseconds (run); the runner stops the job there.</param>
/// <param name="Seed">Seeds the job's Math.random (run), for a job whose results are checked against other volunteers'.</param>
public sealed record RunnerRequest(string Kind, long Id, string Module, string? Source = null, string? Name = null, string? Item = null, bool More = false, string? Task = null, double TimeoutMs = 0, string? Seed = null)
{
    /// <summary>Kind of a request that loads a module.</summary>
    public const string Load = "load";

    /// <summary>Kind of a request that runs a job.</summary>
    public const string Run = "run";

    /// <summary>Kind of a request that judges pairs of results (the item, a JSON array of [a, b]) with the module's compare function.</summary>
    public const string Compare = "compare";
}

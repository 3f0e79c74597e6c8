namespace GridActors.Runner.Protocol;

/// <summary>A message from a runner to its silo: "ready" once at start, then one "result" per job, in request order.</summary>
/// <param name="Kind">"ready" or "result".</param>
/// <param name="Id">The job id.</param>
/// <param name="Value">The result as JSON text, when the job succeeded.</param>
/// <param name="Error">The error, when it failed.</param>
/// <param name="ErrorKind">"script", "module", "memory", "output" or "timeout", when it failed.</param>
/// <param name="Ms">How long the job ran, measured by the runner. Replies travel in batches, so the silo cannot time jobs by their arrival.</param>
/// <param name="Engine">The JavaScript engine and its version (ready).</param>
/// <param name="Exiting">The runner exits after this reply: the jobs sent behind it will not run.</param>
public sealed record RunnerReply(string Kind, long Id = 0, string? Value = null, string? Error = null, string? ErrorKind = null, double Ms = 0, string? Engine = null, bool Exiting = false)
{
    /// <summary>Kind of the reply a runner sends when it is ready for work.</summary>
    public const string Ready = "ready";

    /// <summary>Kind of the reply to a run request.</summary>
    public const string Result = "result";
}

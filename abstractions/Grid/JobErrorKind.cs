namespace GridActors.Grid;

/// <summary>Why a job attempt failed.</summary>
[GenerateSerializer, Alias("grid.job-error-kind")]
public enum JobErrorKind
{
    /// <summary>The module threw, or called back with an error. Not retried.</summary>
    Script,

    /// <summary>The module does not load: a syntax error, or no exported function. Fails the whole task.</summary>
    Module,

    /// <summary>The job ran past its wall-time limit; the runner was killed. Retried.</summary>
    Timeout,

    /// <summary>The job exceeded the runner's memory limit; the runner was replaced. Retried.</summary>
    Memory,

    /// <summary>The result exceeded the output limit. Not retried.</summary>
    Output,

    /// <summary>The runner or its volunteer was lost. Retried.</summary>
    Lost,

    /// <summary>The task was cancelled before the job finished.</summary>
    Cancelled,

    /// <summary>Its volunteer left before the job ended (a browser tab closed or was revoked). Reissued; not counted as a failure of the job.</summary>
    Withdrawn,

    /// <summary>The item's replicas gave different results and too few agreed, even after extra replicas. Not retried.</summary>
    Disagreement,
}

namespace GridActors.Grid;

/// <summary>How the jobs of a task run.</summary>
/// <param name="JobTimeout">Wall-time limit of one job.</param>
/// <param name="MaxAttempts">Attempts per job before it is reported failed; runners lost to a limit or a crash count, errors thrown by the module fail at once.</param>
/// <param name="KeepResults">Keep results after they are read, so they can be read again. An embedded `grid run` reads them once.</param>
public sealed record TaskOptions(TimeSpan JobTimeout, int MaxAttempts, bool KeepResults)
{
    /// <summary>The defaults a user gets without flags: 60 s a job, 3 attempts.</summary>
    public static TaskOptions Default { get; } = new(TimeSpan.FromSeconds(60), 3, KeepResults: true);
}

/// <summary>What a task runs.</summary>
/// <param name="ModuleHash">The content hash of the module (see <see cref="IModuleGrain"/>).</param>
/// <param name="ModuleName">The module's file name, for messages.</param>
/// <param name="Options">How the jobs run.</param>
public sealed record TaskSpec(string ModuleHash, string ModuleName, TaskOptions Options);

/// <summary>A stored module.</summary>
/// <param name="Name">The file name it was submitted as.</param>
/// <param name="Source">The JavaScript source.</param>
public sealed record ModuleSource(string Name, string Source);

/// <summary>The answer to an <see cref="ITaskGrain.AddItemsAsync"/>.</summary>
/// <param name="NextIndex">The index the next item will get.</param>
public sealed record AddItemsResult(long NextIndex);

/// <summary>Everything a job needs to run.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Index">The item's position in the task's input.</param>
/// <param name="Item">The item as JSON text.</param>
/// <param name="ModuleHash">The module to run.</param>
/// <param name="Timeout">The job's wall-time limit.</param>
/// <param name="MaxAttempts">Attempts before the job fails.</param>
public sealed record JobSpec(string TaskId, long Index, string Item, string ModuleHash, TimeSpan Timeout, int MaxAttempts)
{
    /// <summary>The job grain's key.</summary>
    public string JobKey => JobKeys.Of(TaskId, Index);
}

/// <summary>One attempt of a job, as queued by the scheduler and run by a volunteer.</summary>
/// <param name="Spec">The job.</param>
/// <param name="Attempt">The attempt number, from 1.</param>
public sealed record JobTicket(JobSpec Spec, int Attempt);

/// <summary>Why a job attempt failed.</summary>
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
}

/// <summary>The outcome of one attempt.</summary>
/// <param name="JobKey">The job.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Volunteer">Who ran it.</param>
/// <param name="Result">The result as JSON text, when it succeeded.</param>
/// <param name="Error">The error, when it failed.</param>
/// <param name="ErrorKind">The kind of error.</param>
public sealed record JobOutcome(string JobKey, int Attempt, string Volunteer, string? Result, string? Error, JobErrorKind ErrorKind)
{
    /// <summary>Whether the attempt produced a result.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Whether another attempt may succeed where this one failed.</summary>
    public bool Retryable => Error is not null && ErrorKind is JobErrorKind.Timeout or JobErrorKind.Memory or JobErrorKind.Lost;
}

/// <summary>The final outcome of a job, reported to its task.</summary>
/// <param name="Index">The item's index.</param>
/// <param name="Item">The item as JSON text.</param>
/// <param name="Result">The result as JSON text, or null when the job failed.</param>
/// <param name="Error">The last error, or null when the job succeeded.</param>
/// <param name="ErrorKind">The kind of the last error.</param>
public sealed record JobReport(long Index, string Item, string? Result, string? Error, JobErrorKind ErrorKind);

/// <summary>A page of results in input order.</summary>
/// <param name="Results">The results from the cursor on.</param>
/// <param name="NextCursor">The cursor to read from next.</param>
/// <param name="Finished">The input is complete and every result has been read.</param>
/// <param name="ModuleError">The module cannot run at all; no further results will come.</param>
public sealed record ResultPage(IReadOnlyList<JobReport> Results, long NextCursor, bool Finished, string? ModuleError);

/// <summary>A task's counters.</summary>
/// <param name="Items">Items added so far.</param>
/// <param name="InputComplete">Whether the input has ended.</param>
/// <param name="Done">Jobs that succeeded.</param>
/// <param name="Failed">Jobs that failed.</param>
/// <param name="Started">Jobs started and not yet finished.</param>
public sealed record TaskProgress(long Items, bool InputComplete, long Done, long Failed, long Started);

/// <summary>Where a job is in its life.</summary>
public enum JobState
{
    /// <summary>Not started.</summary>
    None,

    /// <summary>Queued at the scheduler.</summary>
    Pending,

    /// <summary>Taken by a volunteer.</summary>
    Assigned,

    /// <summary>Finished with a result.</summary>
    Done,

    /// <summary>Finished with an error.</summary>
    Failed,
}

/// <summary>A job's state.</summary>
/// <param name="State">Where the job is.</param>
/// <param name="Attempt">The current attempt.</param>
/// <param name="Volunteer">The volunteer holding it, when assigned.</param>
/// <param name="LastError">The last error seen.</param>
public sealed record JobStatus(JobState State, int Attempt, string? Volunteer, string? LastError);

/// <summary>A volunteer's offer of slots.</summary>
/// <param name="Volunteer">The volunteer id.</param>
/// <param name="Silo">The silo the volunteer runs on.</param>
/// <param name="Credits">Slots freed since the last request; with <paramref name="Absolute"/>, all the slots it has free.</param>
/// <param name="Absolute">The credits replace what the scheduler holds for this volunteer: the periodic announcement that lets a new scheduler activation (after its silo died) learn every volunteer again.</param>
public sealed record WorkRequest(string Volunteer, SiloAddress Silo, int Credits, bool Absolute = false);

/// <summary>The scheduler's view.</summary>
/// <param name="Queued">Jobs waiting for a volunteer.</param>
/// <param name="Credits">Free slots per volunteer.</param>
public sealed record SchedulerStatus(int Queued, IReadOnlyDictionary<string, int> Credits);

/// <summary>What a volunteer has done (Pando's monitoring).</summary>
/// <param name="Volunteer">The volunteer id.</param>
/// <param name="Runners">Runner processes (donated CPUs).</param>
/// <param name="Running">Jobs running now.</param>
/// <param name="Queued">Jobs accepted and not started.</param>
/// <param name="ItemsDone">Jobs finished, with a result or an error.</param>
/// <param name="CpuTime">CPU time its runners spent on jobs.</param>
/// <param name="JobTime">The time its jobs took, one by one: mean, standard deviation, least and most, in milliseconds.</param>
/// <param name="Uptime">How long the volunteer has been serving.</param>
public sealed record VolunteerStats(string Volunteer, int Runners, int Running, int Queued, long ItemsDone, TimeSpan CpuTime, Spread JobTime, TimeSpan Uptime);

/// <summary>Mean, standard deviation, least and most of a series of measures; all zero when there were none.</summary>
public sealed record Spread(double Mean, double StdDev, double Min, double Max);

/// <summary>A silo as <c>grid usage</c> and <c>grid volunteers</c> show it.</summary>
/// <param name="Address">The silo's address.</param>
/// <param name="Name">Its name.</param>
/// <param name="Status">Where it is in its life cycle.</param>
/// <param name="Load">What it last published.</param>
/// <param name="IAmAliveTime">When it last published.</param>
public sealed record SiloInfo(string Address, string Name, string Status, SiloLoad Load, DateTimeOffset IAmAliveTime);

/// <summary>A volunteer and its silo.</summary>
/// <param name="Silo">The silo it runs on.</param>
/// <param name="Stats">What it has done; null when its silo did not answer.</param>
public sealed record VolunteerInfo(SiloInfo Silo, VolunteerStats? Stats);

/// <summary>Where a task stands.</summary>
public enum TaskState
{
    /// <summary>Items are still coming or jobs still running.</summary>
    Running,

    /// <summary>Every item has its result.</summary>
    Finished,

    /// <summary>Stopped by <c>grid cancel</c>; the results it had stay.</summary>
    Cancelled,

    /// <summary>The module cannot run; no further results come.</summary>
    Failed,
}

/// <summary>A task as <c>grid status</c> shows it.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Module">The module's file name.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Created">When it was submitted.</param>
/// <param name="Ended">When it finished, failed or was cancelled.</param>
/// <param name="Progress">Its counters.</param>
/// <param name="ModuleError">Why the module cannot run, when it cannot.</param>
public sealed record TaskInfo(string Id, string Module, TaskState State, DateTimeOffset Created, DateTimeOffset? Ended, TaskProgress Progress, string? ModuleError);

/// <summary>Builds and reads job keys.</summary>
public static class JobKeys
{
    /// <summary>The key of a task's job: "taskId/index".</summary>
    public static string Of(string taskId, long index) => string.Concat(taskId, "/", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

namespace GridActors.Grid;

/// <summary>Where a task stands.</summary>
[GenerateSerializer, Alias("grid.task-state")]
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

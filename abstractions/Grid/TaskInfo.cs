namespace GridActors.Grid;

/// <summary>A task as <c>grid status</c> shows it.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Module">The module's file name.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Created">When it was submitted.</param>
/// <param name="Ended">When it finished, failed or was cancelled.</param>
/// <param name="Progress">Its counters.</param>
/// <param name="ModuleError">Why the module cannot run, when it cannot.</param>
/// <param name="Silo">The silo the task's grain is active on, by its gateway address (HOST:PORT).</param>
[GenerateSerializer, Immutable, Alias("grid.task-info")]
public sealed record TaskInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Module,
    [property: Id(2)] TaskState State,
    [property: Id(3)] DateTimeOffset Created,
    [property: Id(4)] DateTimeOffset? Ended,
    [property: Id(5)] TaskProgress Progress,
    [property: Id(6)] string? ModuleError,
    [property: Id(7)] string? Silo = null);

using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>The stored form of a task: small, written when items arrive and when the task ends. Its items and results are in the task store.</summary>
[GenerateSerializer, Alias("grid.task-grain-state")]
internal sealed class TaskGrainState
{
    [Id(0)]
    public TaskSpec? Spec { get; set; }

    [Id(1)]
    public long Items { get; set; }

    [Id(2)]
    public bool InputComplete { get; set; }

    /// <summary>Every item below this index has a stored result.</summary>
    [Id(3)]
    public long ResultsBelow { get; set; }

    /// <summary>Why the module cannot run, once a job found out.</summary>
    [Id(4)]
    public string? ModuleError { get; set; }

    /// <summary>When the task was submitted.</summary>
    [Id(5)]
    public DateTimeOffset Created { get; set; }

    /// <summary>When every item had its result, the module was found unable to run, or the task was cancelled.</summary>
    [Id(6)]
    public DateTimeOffset? Ended { get; set; }

    /// <summary>Whether the task was cancelled.</summary>
    [Id(7)]
    public bool Cancelled { get; set; }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GridActors.Runtime.Diagnostics;

/// <summary>
/// The traces and metrics of a silo: an <see cref="ActivitySource"/> with a span per grain call, and a
/// <see cref="Meter"/> counting grain calls, jobs (placed, completed, reissued, failed) and membership
/// changes. Both are named "GridActors"; the meter comes from the silo's <see cref="IMeterFactory"/>,
/// so each silo in a process has its own.
/// </summary>
public sealed class GridTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "GridActors";

    /// <summary>The source of the grain call spans.</summary>
    public static readonly ActivitySource Source = new(Name);

    public GridTelemetry(IMeterFactory meters)
    {
        Meter = meters.Create(Name);
        GrainCalls = Meter.CreateCounter<long>("gridactors.grain.calls", description: "Grain calls delivered to activations on this silo.");
        JobsPlaced = Meter.CreateCounter<long>("gridactors.jobs.placed", description: "Job attempts the scheduler handed to volunteers.");
        JobsCompleted = Meter.CreateCounter<long>("gridactors.jobs.completed", description: "Jobs that ended with a result.");
        JobsReissued = Meter.CreateCounter<long>("gridactors.jobs.reissued", description: "Job attempts lost to a limit, a crash or a dead silo, and queued again.");
        JobsFailed = Meter.CreateCounter<long>("gridactors.jobs.failed", description: "Jobs that ended with an error.");
        MembershipChanges = Meter.CreateCounter<long>("gridactors.membership.changes", description: "Status changes this silo wrote to the membership table.");
    }

    /// <summary>The silo's meter.</summary>
    public Meter Meter { get; }

    public Counter<long> GrainCalls { get; }

    public Counter<long> JobsPlaced { get; }

    public Counter<long> JobsCompleted { get; }

    public Counter<long> JobsReissued { get; }

    public Counter<long> JobsFailed { get; }

    public Counter<long> MembershipChanges { get; }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GridActors.Grains.Diagnostics;

/// <summary>
/// The grid's own traces and metrics, beside Orleans' (which count grain calls, messages and membership
/// changes): an <see cref="ActivitySource"/>, and a <see cref="Meter"/> counting jobs (placed,
/// completed, reissued, failed). Both are named "GridActors"; the meter comes from the silo's
/// <see cref="IMeterFactory"/>, so each silo in a process has its own.
/// </summary>
public sealed class GridTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "GridActors";

    /// <summary>The grid's activity source.</summary>
    public static readonly ActivitySource Source = new(Name);

    public GridTelemetry(IMeterFactory meters)
    {
        Meter = meters.Create(Name);
        JobsPlaced = Meter.CreateCounter<long>("gridactors.jobs.placed", description: "Job attempts the scheduler handed to volunteers.");
        JobsCompleted = Meter.CreateCounter<long>("gridactors.jobs.completed", description: "Jobs that ended with a result.");
        JobsReissued = Meter.CreateCounter<long>("gridactors.jobs.reissued", description: "Job attempts lost to a limit, a crash or a dead silo, and queued again.");
        JobsFailed = Meter.CreateCounter<long>("gridactors.jobs.failed", description: "Jobs that ended with an error.");
    }

    /// <summary>The silo's meter.</summary>
    public Meter Meter { get; }

    public Counter<long> JobsPlaced { get; }

    public Counter<long> JobsCompleted { get; }

    public Counter<long> JobsReissued { get; }

    public Counter<long> JobsFailed { get; }
}

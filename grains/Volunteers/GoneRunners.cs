using GridActors.Grains.Runners;
using GridActors.Grid;

namespace GridActors.Grains.Volunteers;

/// <summary>What a browser's volunteer runs on once its tab has gone: nothing. It refuses every job.</summary>
internal sealed class GoneRunners : IJobRunners
{
    public static GoneRunners Instance { get; } = new();

    public int Size => 0;

    public string Engine => "gone";

    public bool HasModule(string hash) => true;

    public void AddModule(string hash, string name, string source)
    {
    }

    public void Submit(RunnerJob job) => job.OnDone(job, new RunnerResult(null, "its volunteer has left the grid", JobErrorKind.Withdrawn, TimeSpan.Zero));

    public void Cancel(Func<RunnerJob, bool> match)
    {
    }

    public bool AllBusyFor(TimeSpan duration) => true;

    public (int Running, int Queued, int Capacity) GetWorkload() => (0, 0, 0);
}

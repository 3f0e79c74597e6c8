using GridActors.Grains.Runners;

namespace GridActors.Grains.Volunteers;

/// <summary>
/// What a volunteer runs its jobs on: the silo's <see cref="RunnerPool"/>, or a browser tab connected
/// to the silo. The volunteer grain keeps the credits, the hand-over and the leases; this runs jobs.
/// </summary>
public interface IJobRunners
{
    /// <summary>Jobs it runs at once: runner processes, or the Web Workers a browser donates.</summary>
    int Size { get; }

    /// <summary>Where modules run, such as "V8 (ClearScript 7.5.1)" or a browser's name.</summary>
    string Engine { get; }

    /// <summary>Whether a module is known here.</summary>
    bool HasModule(string hash);

    /// <summary>Makes a module known; it is loaded when its first job runs.</summary>
    void AddModule(string hash, string name, string source);

    /// <summary>Queues a job; its <see cref="RunnerJob.OnDone"/> is called exactly once.</summary>
    void Submit(RunnerJob job);

    /// <summary>Drops or stops the jobs that match; each ends as cancelled.</summary>
    void Cancel(Func<RunnerJob, bool> match);

    /// <summary>Whether every slot holds a job that started more than <paramref name="duration"/> ago.</summary>
    bool AllBusyFor(TimeSpan duration);

    /// <summary>Jobs running, jobs queued, and how many it runs at once.</summary>
    (int Running, int Queued, int Capacity) GetWorkload();
}

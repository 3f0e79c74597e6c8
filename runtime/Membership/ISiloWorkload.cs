namespace GridActors.Runtime;

/// <summary>Tells the membership agent how busy the silo's job runners are, for the load it publishes.</summary>
public interface ISiloWorkload
{
    /// <summary>Jobs running, jobs queued, and how many jobs the silo runs at once.</summary>
    (int Running, int Queued, int Capacity) GetWorkload();

    /// <summary>The processes the workload runs (its runners): their CPU counts as the silo's own, not as other work.</summary>
    IReadOnlyList<int> ProcessIds => [];

    /// <summary>Jobs finished since the silo started, with a result or an error.</summary>
    long JobsRun => 0;
}

namespace GridActors.Grid;

/// <summary>The load a silo publishes beside the membership table; the scheduler places work by it.</summary>
/// <param name="CpuPercent">The machine's CPU use by work other than the silo and its runners, 0 to 100.</param>
/// <param name="MemoryBytes">The silo process's working set.</param>
/// <param name="RunningJobs">Jobs running in the silo's runners.</param>
/// <param name="QueuedJobs">Jobs accepted by the silo but not started yet.</param>
/// <param name="Capacity">Jobs the silo can run at once (its donated CPUs).</param>
/// <param name="MaxCpuPercent">The silo takes no new jobs while other work keeps the CPU above this.</param>
/// <param name="JobsRun">Jobs the silo's runners have finished since it started, with a result or an error.</param>
[GenerateSerializer, Immutable, Alias("grid.silo-load")]
public sealed record SiloLoad(
    [property: Id(0)] double CpuPercent,
    [property: Id(1)] long MemoryBytes,
    [property: Id(2)] int RunningJobs,
    [property: Id(3)] int QueuedJobs,
    [property: Id(4)] int Capacity,
    [property: Id(5)] double MaxCpuPercent,
    [property: Id(6)] long JobsRun = 0)
{
    /// <summary>An idle silo with no capacity published yet.</summary>
    public static SiloLoad None { get; } = new(0, 0, 0, 0, 0, 100);
}

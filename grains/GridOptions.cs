namespace GridActors.Grains;

/// <summary>Settings of the grid's grains.</summary>
public sealed class GridOptions
{
    /// <summary>
    /// How often a job checks that whoever holds it (the scheduler's queue or a volunteer) still does;
    /// a job nobody holds is reissued. It bounds recovery when the scheduler's own silo dies (a
    /// volunteer's death is caught sooner, by <see cref="VolunteerWatch"/>). Default: 5 s.
    /// </summary>
    public TimeSpan LeaseCheckPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a task's reminder brings it back, so a task whose silo died carries on without its client. Default: 10 s.</summary>
    public TimeSpan TaskCheckPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a task that has ended (finished, failed or cancelled) is kept before the grid deletes it. Default: 7 days.</summary>
    public TimeSpan TaskRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often an ended task's reminder looks whether its retention has run out. Default: 1 hour.</summary>
    public TimeSpan RetentionCheckPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most jobs of one task running or queued at once; further items wait in the task. Default: 4,096.</summary>
    public int MaxActiveJobsPerTask { get; set; } = 4096;

    /// <summary>How much work a volunteer asks for ahead of its runners, as time. Default: 200 ms.</summary>
    public TimeSpan PrefetchTime { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a volunteer tells the scheduler all the slots it has free, so a scheduler that lost its state learns them again. Default: 5 s.</summary>
    public TimeSpan VolunteerAnnouncePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most jobs a volunteer holds per runner. Default: 256.</summary>
    public int MaxPrefetchPerRunner { get; set; } = 256;
}

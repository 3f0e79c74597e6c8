namespace GridActors.Grains;

/// <summary>Settings of the grid's grains; each timing here is one the grid chose, with its reason.</summary>
public sealed class GridOptions
{
    /// <summary>
    /// How often a running task asks whoever should hold each of its jobs (the scheduler's queue, or
    /// the volunteer it was sent to) whether it still does, and reissues the jobs nobody holds. A silo's
    /// death is acted on at once, on membership news; this check is the safety net for anything else
    /// that loses a job. It is a grain timer of the task's activation, not a reminder. Default: 5 s.
    /// </summary>
    public TimeSpan LeaseCheckPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The period of a running task's Orleans reminder (one per task, never per job). It brings a task
    /// whose silo died back on a live silo when nothing else calls it (its client gone, its jobs lost
    /// with the scheduler); a task with a reader or a job still running comes back at once on the next
    /// call. Orleans' reminders are minutes-coarse by design: default 1 minute, Orleans' own minimum.
    /// </summary>
    public TimeSpan TaskCheckPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a task that has ended (finished, failed or cancelled) is kept before the grid deletes it. Default: 7 days.</summary>
    public TimeSpan TaskRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The period of an ended task's reminder, which looks whether its retention has run out. Default: 1 hour.</summary>
    public TimeSpan RetentionCheckPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most jobs of one task started and not finished at once; further items wait in the task store. Default: 4,096.</summary>
    public int MaxActiveJobsPerTask { get; set; } = 4096;

    /// <summary>How much work a volunteer asks for ahead of its runners, as time. Default: 200 ms.</summary>
    public TimeSpan PrefetchTime { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The most jobs a volunteer holds per runner. Default: 256.</summary>
    public int MaxPrefetchPerRunner { get; set; } = 256;

    /// <summary>How often a volunteer tells the scheduler every slot it has free, mending drift in the credits. Default: 5 s.</summary>
    public TimeSpan VolunteerAnnouncePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a silo publishes its load and reads the others'. Default: 1 s.</summary>
    public TimeSpan LoadPublishPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The silo takes no new jobs while work other than its own keeps the machine's CPU above this percentage (--max-cpu). Default: 100, no limit.</summary>
    public double MaxCpuPercent { get; set; } = 100;

    /// <summary>The silo's HTTP endpoint as browsers reach it, http://HOST:PORT; empty for a silo without one (the embedded grid).</summary>
    public string HttpEndpoint { get; set; } = string.Empty;

    /// <summary>Times a volunteer tries to hand an outcome to its task (1 s, 2 s, 3 s apart) before it lets the task's lease check reissue the job. Default: 4.</summary>
    public int HandOverAttempts { get; set; } = 4;
}

namespace GridActors.Runtime.Reminders;

/// <summary>Settings of reminders.</summary>
public sealed class ReminderOptions
{
    /// <summary>How often the silo looks for due reminders; the resolution of reminder ticks. Default: 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The shortest period a reminder may have. Default: 1 s (a grid reissues lost jobs in seconds, not Orleans' minute).</summary>
    public TimeSpan MinimumPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many due reminders one query reads. Default: 1,000.</summary>
    public int BatchSize { get; set; } = 1000;
}

namespace GridActors;

/// <summary>One reminder as stored in an <see cref="IReminderTable"/>.</summary>
/// <param name="GrainId">The grain the reminder calls.</param>
/// <param name="Name">The reminder name, unique per grain.</param>
/// <param name="StartAt">When the first tick was due.</param>
/// <param name="Period">The period between ticks.</param>
/// <param name="NextDue">When the next tick is due.</param>
/// <param name="ETag">The version of this row, for conditional updates.</param>
public sealed record ReminderEntry(GrainId GrainId, string Name, DateTimeOffset StartAt, TimeSpan Period, DateTimeOffset NextDue, string ETag)
{
    /// <summary>The ring bucket of the reminder: the stable hash of its grain.</summary>
    public uint Bucket => GrainId.StableHash;
}

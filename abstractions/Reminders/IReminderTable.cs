namespace GridActors;

/// <summary>
/// Storage of reminders. Silos own ranges of ring buckets (<see cref="ReminderEntry.Bucket"/>) and
/// query their range by due time, so no silo ever loads the whole table.
/// </summary>
public interface IReminderTable
{
    /// <summary>Inserts or replaces a reminder and returns its new ETag.</summary>
    Task<string> UpsertAsync(ReminderEntry entry);

    /// <summary>Removes a reminder when its ETag still matches (any ETag when <paramref name="eTag"/> is null). Returns whether a row was removed.</summary>
    Task<bool> RemoveAsync(GrainId grainId, string name, string? eTag);

    /// <summary>Reads one reminder, or null.</summary>
    Task<ReminderEntry?> ReadAsync(GrainId grainId, string name);

    /// <summary>Reads at most <paramref name="limit"/> reminders in buckets [<paramref name="beginBucket"/>, <paramref name="endBucket"/>] due at or before <paramref name="dueBy"/>, earliest first.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(uint beginBucket, uint endBucket, DateTimeOffset dueBy, int limit);

    /// <summary>Moves a reminder's next tick when its ETag still matches. Returns the new ETag, or null when the row changed or vanished meanwhile.</summary>
    Task<string?> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue);
}

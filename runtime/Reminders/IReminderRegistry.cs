namespace GridActors.Runtime.Reminders;

/// <summary>What grains call to register and remove their reminders.</summary>
internal interface IReminderRegistry
{
    Task RegisterOrUpdateAsync(GrainId grainId, string name, TimeSpan dueTime, TimeSpan period);

    Task UnregisterAsync(GrainId grainId, string name);
}

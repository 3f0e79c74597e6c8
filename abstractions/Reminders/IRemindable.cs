namespace GridActors;

/// <summary>A grain that receives reminders: persistent, periodic calls that survive deactivation and silo restarts.</summary>
public interface IRemindable : IGrain
{
    /// <summary>Delivers one tick of the reminder <paramref name="reminderName"/>.</summary>
    Task ReceiveReminder(string reminderName, TickStatus status);
}

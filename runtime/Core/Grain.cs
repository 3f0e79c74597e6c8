using GridActors.Runtime.Activation;

namespace GridActors.Runtime;

/// <summary>
/// The base class of grain implementations. The runtime creates one activation per grain id, runs
/// its calls one at a time, and deactivates it when idle or when it asks to be.
/// </summary>
public abstract class Grain
{
    private GrainActivation? _activation;

    /// <summary>This grain's identity.</summary>
    protected GrainId GrainId => Activation.GrainId;

    /// <summary>This grain's key.</summary>
    protected string GrainKey => Activation.GrainId.Key;

    /// <summary>Gives references to other grains.</summary>
    protected IGrainFactory GrainFactory => Activation.Runtime.GrainFactory;

    /// <summary>The clock of the silo.</summary>
    protected TimeProvider TimeProvider => Activation.Runtime.TimeProvider;

    internal GrainActivation Activation
    {
        get => _activation ?? throw new InvalidOperationException("The grain is used before its activation set it up.");
        set => _activation = value;
    }

    /// <summary>Called once the grain's state is loaded, before its first call.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called when the activation is collected or the silo stops.</summary>
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Asks the runtime to deactivate this grain once the current call finishes and its mailbox is empty.</summary>
    protected void DeactivateOnIdle() => Activation.DeactivateOnIdle();

    /// <summary>A reference to this grain, to hand to other grains.</summary>
    protected TGrain AsReference<TGrain>()
        where TGrain : IGrainWithStringKey => Activation.Runtime.GrainFactory.GetGrain<TGrain>(GrainId.Key);

    /// <summary>
    /// Registers a reminder (or moves an existing one): a persistent tick delivered to
    /// <see cref="IRemindable.ReceiveReminder"/> after <paramref name="dueTime"/> and then every <paramref name="period"/>.
    /// </summary>
    protected Task RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        if (this is not IRemindable)
        {
            throw new InvalidOperationException($"Grain {GrainId} registers a reminder but does not implement {nameof(IRemindable)}.");
        }

        return Activation.Runtime.Reminders.RegisterOrUpdateAsync(GrainId, reminderName, dueTime, period);
    }

    /// <summary>Removes a reminder of this grain. Removing one that does not exist does nothing.</summary>
    protected Task UnregisterReminder(string reminderName) => Activation.Runtime.Reminders.UnregisterAsync(GrainId, reminderName);

    /// <summary>
    /// Registers a timer whose callback runs as a turn of this grain (never at the same time as a call).
    /// A timer lives as long as the activation; dispose the result to stop it.
    /// </summary>
    protected IDisposable RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
        => Activation.RegisterTimer(callback, dueTime, period);
}

using GridActors.Runtime.Activation;
using GridActors.Runtime.Membership;
using GridActors.Runtime.Reminders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime;

/// <summary>
/// The silo's life cycle: join the cluster, fire reminders, collect idle grains, run the startup tasks,
/// and turn Active once the whole host has started (its endpoint listens); on stop, leave gracefully.
/// </summary>
internal sealed partial class Silo(
    MembershipAgent membership,
    ReminderService reminders,
    Catalog catalog,
    SiloRuntime runtime,
    IEnumerable<ISiloStartupTask> startupTasks,
    TimeProvider timeProvider,
    IOptions<GrainCollectionOptions> collection,
    IOptions<SiloOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<Silo> logger) : IHostedLifecycleService
{
    private ITimer? _collector;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = runtime;
        membership.DeclaredDead += lifetime.StopApplication;
        await membership.JoinAsync();
        reminders.Start();
        var age = collection.Value.CollectionAge;
        _collector = timeProvider.CreateTimer(
            _ => catalog.CollectIdle(timeProvider.GetTimestamp() - (long)(age.TotalSeconds * timeProvider.TimestampFrequency)),
            null,
            collection.Value.CollectionQuantum,
            collection.Value.CollectionQuantum);
        foreach (var task in startupTasks)
        {
            await task.StartAsync(cancellationToken);
        }
    }

    /// <summary>Every hosted service has started, the web server's listener included: peers may call now.</summary>
    public Task StartedAsync(CancellationToken cancellationToken) => membership.BecomeActiveAsync();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await LeaveAsync(SiloStatus.ShuttingDown);
        foreach (var task in startupTasks.Reverse())
        {
            await task.StopAsync(cancellationToken);
        }

        _collector?.Dispose();
        await reminders.DisposeAsync();
        await catalog.DeactivateAllAsync(options.Value.ShutdownTimeout, timeProvider);
        await LeaveAsync(SiloStatus.Dead);
        await membership.DisposeAsync();
    }

    /// <summary>Writes the silo's status on the way out; with the table out of reach the stop goes on, and peers declare the silo Dead.</summary>
    private async Task LeaveAsync(SiloStatus status)
    {
        try
        {
            await membership.LeaveAsync(status);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogLeaveFailed(logger, status, exception.Message);
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Could not mark this silo {Status} in the membership table ({Error}); its peers will declare it Dead")]
    private static partial void LogLeaveFailed(ILogger logger, SiloStatus status, string error);
}

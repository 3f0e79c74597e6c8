using GridActors.Runtime.Activation;
using GridActors.Runtime.Membership;
using GridActors.Runtime.Reminders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime;

/// <summary>The silo's life cycle: join the cluster, fire reminders, collect idle grains; on stop, leave gracefully.</summary>
internal sealed class Silo(
    MembershipAgent membership,
    ReminderService reminders,
    Catalog catalog,
    SiloRuntime runtime,
    IEnumerable<ISiloStartupTask> startupTasks,
    TimeProvider timeProvider,
    IOptions<GrainCollectionOptions> collection,
    IOptions<SiloOptions> options,
    IHostApplicationLifetime lifetime) : IHostedService
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

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await membership.LeaveAsync(SiloStatus.ShuttingDown);
        foreach (var task in startupTasks.Reverse())
        {
            await task.StopAsync(cancellationToken);
        }

        _collector?.Dispose();
        await reminders.DisposeAsync();
        await catalog.DeactivateAllAsync(options.Value.ShutdownTimeout, timeProvider);
        await membership.LeaveAsync(SiloStatus.Dead);
        await membership.DisposeAsync();
    }
}

using GridActors.Grains.Tasks;
using GridActors.Grid;
using Microsoft.Extensions.Logging;

namespace GridActors.Grains.Silos;

/// <summary>
/// Acts on Orleans' membership news: when a silo is declared Dead, it says so in the log, tells every
/// task active on this silo to look at once where its jobs are (those sent to the dead silo's
/// volunteer, or queued at a scheduler that died with it, are reissued), and has this silo's
/// volunteer announce its free slots (a new scheduler activation learns it at once).
/// </summary>
internal sealed partial class SiloDeathWatch(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    LocalTasks tasks,
    IGrainFactory grains,
    ILogger<SiloDeathWatch> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloDeathWatch), ServiceLifecycleStage.Active, Start, StopAsync);

    private Task Start(CancellationToken cancellationToken)
    {
        _loop = WatchAsync();
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
    }

    private async Task WatchAsync()
    {
        // The first view only learns who is Dead already: those deaths are not news.
        var dead = Dead(membership.CurrentSnapshot);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(_stopping.Token))
            {
                var now = Dead(snapshot);
                var news = now.Where(s => !dead.Contains(s)).ToList();
                dead = now;
                if (news.Count > 0)
                {
                    foreach (var address in news)
                    {
                        LogSiloDead(logger, snapshot.Members[address].Name, address);
                    }

                    await TellAsync();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The silo stops.
        }
    }

    private async Task TellAsync()
    {
        var calls = tasks.Ids.Select(id => grains.GetGrain<ITaskGrain>(id).CheckJobsAsync())
            .Append(grains.GetGrain<IVolunteerGrain>(silo.SiloAddress.ToParsableString()).AnnounceAsync());
        foreach (var call in calls.ToList())
        {
            try
            {
                await call;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A task or volunteer that stopped meanwhile: its lease check or announcement timer covers it.
                LogTellFailed(logger, exception.Message);
            }
        }
    }

    private static HashSet<SiloAddress> Dead(ClusterMembershipSnapshot snapshot) =>
        [.. snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress)];

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Silo {Name} ({Address}) declared Dead; reissuing the jobs it held")]
    private static partial void LogSiloDead(ILogger logger, string name, SiloAddress address);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Telling a task or the volunteer of a silo's death failed: {Reason}")]
    private static partial void LogTellFailed(ILogger logger, string reason);
}

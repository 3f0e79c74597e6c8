using System.Diagnostics;
using GridActors.Grains.Browsers;
using GridActors.Grains.Runners;
using GridActors.Grid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Grains.Silos;

/// <summary>
/// Publishes this silo's load on the <see cref="ISiloLoadBoard"/> once a second from the moment it is
/// Active, reads the other silos' loads at the same pace, and removes the entries of silos Orleans'
/// membership no longer holds as live. On a graceful stop it removes its own entry.
/// </summary>
internal sealed partial class SiloLoadPublisher(
    ISiloLoadBoard board,
    RunnerPool pool,
    BrowserSessions browsers,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    TimeProvider time,
    IOptions<GridOptions> options,
    ILogger<SiloLoadPublisher> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CpuMonitor _cpu = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloLoadPublisher), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    /// <summary>The load as the board shows it now, for this silo.</summary>
    internal PublishedLoad Measure()
    {
        // The silo's browser volunteers count in its load and capacity beside its runners.
        var (running, queued, capacity) = pool.GetWorkload();
        var (browsersRunning, browsersQueued, browsersCapacity) = browsers.GetWorkload();
        using var process = Process.GetCurrentProcess();
        var load = new SiloLoad(
            _cpu.Sample(pool.ProcessIds), process.WorkingSet64, running + browsersRunning, queued + browsersQueued, capacity + browsersCapacity,
            options.Value.MaxCpuPercent, pool.JobsRun + browsers.JobsDone);
        var gateway = silo.GatewayAddress is { } address ? $"{address.Endpoint.Address}:{address.Endpoint.Port}" : string.Empty;
        return new PublishedLoad(silo.Name, gateway, load, time.GetUtcNow(), options.Value.HttpEndpoint);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await PublishAsync();
        _loop = LoopAsync();
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
        try
        {
            await board.RemoveAsync([silo.SiloAddress]).WaitAsync(TimeSpan.FromSeconds(2), time, cancellationToken);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Its peers remove the entry once Orleans has the silo down as Dead.
            LogPublishFailed(logger, exception.Message);
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(options.Value.LoadPublishPeriod, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await PublishAsync();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The silo stops.
        }
    }

    private async Task PublishAsync()
    {
        try
        {
            await board.PublishAsync(silo.SiloAddress, Measure());
            await board.RefreshAsync();
            var live = membership.CurrentSnapshot.Members;
            var gone = board.Current.Keys.Where(s => !live.TryGetValue(s, out var member) || member.Status == SiloStatus.Dead).ToList();
            await board.RemoveAsync(gone);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Redis is away: the last loads read stay in force, and the next second tries again.
            LogPublishFailed(logger, exception.Message);
        }
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "Publishing this silo's load failed: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}

using GridActors.Grains.Runners;
using GridActors.Grid;
using GridActors.Runtime;

namespace GridActors.Grains;

/// <summary>Starts the silo's runners and its volunteer once the silo has joined; stops the runners as it leaves.</summary>
internal sealed class VolunteerStartup(RunnerPool pool, VolunteerService volunteer, IGrainFactory grains) : ISiloStartupTask
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await pool.StartAsync();
        await grains.GetGrain<IVolunteerGrain>(volunteer.Id).StartAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        volunteer.Dispose();
        await pool.DisposeAsync();
    }
}

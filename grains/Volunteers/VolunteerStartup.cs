using GridActors.Grains.Runners;
using GridActors.Grid;

namespace GridActors.Grains.Volunteers;

/// <summary>
/// Starts the silo's runners as the silo starts, beside Orleans' own start (each takes about a
/// second), waits for them before the silo becomes Active, so that the first jobs placed on it find
/// them ready, starts its volunteer once it is Active, and stops the runners after its grains are gone.
/// </summary>
internal sealed class VolunteerStartup(RunnerPool pool, ILocalSiloDetails silo, IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
{
    private Task _starting = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(VolunteerStartup), ServiceLifecycleStage.First, Start, _ => Task.CompletedTask);
        lifecycle.Subscribe(nameof(VolunteerStartup), ServiceLifecycleStage.ApplicationServices, _ => _starting, async _ => await pool.DisposeAsync());
        lifecycle.Subscribe(nameof(VolunteerStartup), ServiceLifecycleStage.Active, _ => grains.GetGrain<IVolunteerGrain>(silo.SiloAddress.ToParsableString()).StartAsync(), _ => Task.CompletedTask);
    }

    private Task Start(CancellationToken cancellationToken)
    {
        _starting = pool.StartAsync();
        return Task.CompletedTask;
    }
}

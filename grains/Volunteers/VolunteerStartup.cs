using GridActors.Grains.Runners;
using GridActors.Grid;

namespace GridActors.Grains.Volunteers;

/// <summary>
/// Starts the silo's runners before the silo becomes Active, so that the first jobs placed on it find
/// them ready, and its volunteer once it is Active; stops the runners after its grains are gone.
/// </summary>
internal sealed class VolunteerStartup(RunnerPool pool, ILocalSiloDetails silo, IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(VolunteerStartup), ServiceLifecycleStage.ApplicationServices, _ => pool.StartAsync(), async _ => await pool.DisposeAsync());
        lifecycle.Subscribe(nameof(VolunteerStartup), ServiceLifecycleStage.Active, _ => grains.GetGrain<IVolunteerGrain>(silo.SiloAddress.ToParsableString()).StartAsync(), _ => Task.CompletedTask);
    }
}

using GridActors.Grains.Storage;
using GridActors.Grid;
using GridActors.Runtime;

namespace GridActors.Grains;

/// <summary>The grid as a whole, for grid status, grid volunteers and grid usage: read from the task store and the membership table.</summary>
internal sealed class GridGrain(ITaskStore store, IClusterMembership membership) : Grain, IGridGrain
{
    /// <summary>How long a volunteer may take to say what it has done before it is shown without figures.</summary>
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(5);

    public Task<IReadOnlyList<string>> ListTasksAsync() => store.ListAsync();

    public Task<IReadOnlyList<SiloInfo>> GetSilosAsync() => Task.FromResult<IReadOnlyList<SiloInfo>>([.. Silos()]);

    public async Task<IReadOnlyList<VolunteerInfo>> GetVolunteersAsync()
    {
        var silos = Silos().Where(s => s.Status == nameof(SiloStatus.Active)).ToList();
        var stats = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return await GrainFactory.GetGrain<IVolunteerGrain>(silo.Address).GetStatsAsync().WaitAsync(StatsTimeout, TimeProvider);
            }
            catch (Exception exception) when (exception is GrainCallException or TimeoutException)
            {
                return null;
            }
        }));
        return [.. silos.Select((silo, i) => new VolunteerInfo(silo, stats[i]))];
    }

    private IEnumerable<SiloInfo> Silos() => membership.Members
        .Where(m => m.Status != SiloStatus.Dead)
        .OrderBy(m => m.Name, StringComparer.Ordinal)
        .ThenBy(m => m.Address.ToString(), StringComparer.Ordinal)
        .Select(m => new SiloInfo(m.Address.ToString(), m.Name, m.Status.ToString(), m.Load, m.IAmAliveTime));
}

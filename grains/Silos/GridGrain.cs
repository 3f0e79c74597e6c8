using GridActors.Grains.Storage;
using GridActors.Grid;
using Orleans.Concurrency;

namespace GridActors.Grains.Silos;

/// <summary>The grid as a whole, for grid status, grid volunteers and grid usage: read from the task store, Orleans' membership and the load board.</summary>
[StatelessWorker]
internal sealed class GridGrain(ITaskStore store, IClusterMembershipService membership, ISiloLoadBoard loads, TimeProvider time) : Grain, IGridGrain
{
    /// <summary>How long a volunteer or the scheduler may take to answer before a silo is shown without its figures.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    public Task<IReadOnlyList<string>> ListTasksAsync() => store.ListAsync();

    public async Task<IReadOnlyList<SiloInfo>> GetSilosAsync()
    {
        SiloAddress? scheduler = null;
        try
        {
            scheduler = (await GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key).GetStatusAsync().WaitAsync(AnswerTimeout, time)).Silo;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Shown without the scheduler's whereabouts.
        }

        return [.. Silos().Select(s => s.Info with { Scheduler = s.Address.Equals(scheduler) })];
    }

    public async Task<IReadOnlyList<VolunteerInfo>> GetVolunteersAsync()
    {
        // Each silo's runners, then the browser tabs connected to it.
        var silos = Silos().Where(s => s.Info.Status == nameof(SiloStatus.Active)).ToList();
        var volunteers = await Task.WhenAll(silos.Select(async silo =>
        {
            var key = silo.Address.ToParsableString();
            var runners = AskAsync(() => GrainFactory.GetGrain<IVolunteerGrain>(key).GetStatsAsync());
            var browsers = AskAsync(() => GrainFactory.GetGrain<IBrowsersGrain>(key).ListAsync());
            return (IEnumerable<VolunteerInfo>)[new VolunteerInfo(silo.Info, await runners), .. (await browsers ?? []).Select(b => new VolunteerInfo(silo.Info, b))];
        }));

        // Each with its reputation, kept in the grid under its identity.
        return await Task.WhenAll(volunteers.SelectMany(v => v).Select(async volunteer =>
            volunteer.Stats is { Identity.Length: > 0 } stats
                && await AskAsync(() => GrainFactory.GetGrain<IReputationGrain>(stats.Identity).GetAsync()) is { } reputation
                ? volunteer with { Stats = stats with { Reputation = reputation } }
                : volunteer));
    }

    private async Task<T?> AskAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call().WaitAsync(AnswerTimeout, time);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return null;
        }
    }

    private IEnumerable<(SiloAddress Address, SiloInfo Info)> Silos()
    {
        var published = loads.Current;
        return membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status != SiloStatus.Dead)
            .Select(m =>
            {
                var load = published.GetValueOrDefault(m.SiloAddress);
                var address = string.IsNullOrEmpty(load?.Gateway) ? $"{m.SiloAddress.Endpoint.Address}:{m.SiloAddress.Endpoint.Port}" : load.Gateway;
                return (m.SiloAddress, new SiloInfo(address, m.Name, m.Status.ToString(), load?.Load ?? SiloLoad.None, load?.Time ?? default, Http: load?.Http ?? string.Empty));
            })
            .OrderBy(s => s.Item2.Name, StringComparer.Ordinal)
            .ThenBy(s => s.Item2.Address, StringComparer.Ordinal);
    }
}

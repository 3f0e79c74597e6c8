using GridActors.Grains.Silos;
using GridActors.Grid;

namespace GridActors.Grains.Scheduling;

/// <summary>
/// The order in which the scheduler fills volunteers: only those with free slots whose silo Orleans'
/// membership holds as Active and whose CPU use by other work is within the silo's threshold; the
/// lowest-load silos first (jobs running and queued over capacity), then the least busy CPU; among
/// the volunteers of one silo (its runners and its browser tabs), those with the most free slots.
/// </summary>
internal static class PlacementOrder
{
    /// <summary>Ranks the candidates; <paramref name="silo"/> and <paramref name="credits"/> read a volunteer's silo and free slots.</summary>
    public static List<T> Rank<T>(IEnumerable<T> volunteers, Func<T, SiloAddress> silo, Func<T, int> credits, IReadOnlyDictionary<SiloAddress, ClusterMember> members, IReadOnlyDictionary<SiloAddress, PublishedLoad> loads) =>
        [.. volunteers
            .Where(v => credits(v) > 0 && members.TryGetValue(silo(v), out var member) && member.Status == SiloStatus.Active)
            .Select(v => (Volunteer: v, Load: loads.TryGetValue(silo(v), out var load) ? load.Load : SiloLoad.None))
            .Where(c => c.Load.CpuPercent <= c.Load.MaxCpuPercent)
            .OrderBy(c => Utilisation(c.Load))
            .ThenBy(c => c.Load.CpuPercent)
            .ThenByDescending(c => credits(c.Volunteer))
            .Select(c => c.Volunteer)];

    private static double Utilisation(SiloLoad load) =>
        load.Capacity <= 0 ? double.MaxValue : (double)(load.RunningJobs + load.QueuedJobs) / load.Capacity;
}

using GridActors.Runtime;

namespace GridActors.Silo;

/// <summary>
/// Grains are not yet routed between silos, so two live silos of one cluster would each activate the
/// same task and scheduler. Until routing exists, a silo refuses to join a cluster that has a live
/// silo, saying so, rather than corrupt a running task. A silo counts as live when it is Active and
/// said IAmAlive within <see cref="LiveWithin"/>; a silo killed without leaving stops counting then.
/// </summary>
internal sealed class SingleSiloGuard(TimeProvider time) : ISiloJoinCheck
{
    public static readonly TimeSpan LiveWithin = TimeSpan.FromSeconds(10);

    public Task CheckAsync(IReadOnlyList<MembershipEntry> members, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var live = members.Where(m => m.Status == SiloStatus.Active && now - m.IAmAliveTime < LiveWithin).ToList();
        if (live.Count > 0)
        {
            throw new InvalidOperationException(
                $"The cluster already has a live silo ({string.Join(", ", live.Select(o => $"{o.Name} at {o.Address.Host}:{o.Address.Port}"))}). " +
                "This version of GridActors runs one silo per cluster; give this silo another --cluster, or stop the other one.");
        }

        return Task.CompletedTask;
    }
}

namespace GridActors.Runtime.Reminders;

/// <summary>
/// Splits the ring of buckets evenly among the live silos, in the order of their addresses, so every
/// reminder has one silo to fire it; when a silo dies, the others take its range over.
/// </summary>
internal sealed class MembershipRing(IClusterMembership membership, SiloDetails silo) : IRingRange
{
    public IReadOnlyList<(uint Begin, uint End)> OwnedRanges
    {
        get
        {
            var live = membership.Members
                .Where(m => m.Status == SiloStatus.Active)
                .Select(m => m.Address.ToString())
                .Append(silo.Address.ToString())
                .Distinct()
                .Order(StringComparer.Ordinal)
                .ToList();
            var index = live.IndexOf(silo.Address.ToString());
            var size = (1UL << 32) / (ulong)live.Count;
            var begin = (ulong)index * size;
            var end = index == live.Count - 1 ? uint.MaxValue : begin + size - 1;
            return [((uint)begin, (uint)end)];
        }
    }
}

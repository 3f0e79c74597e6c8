namespace GridActors.Runtime;

/// <summary>This silo's latest view of the membership table.</summary>
public interface IClusterMembership
{
    /// <summary>The rows as last read, refreshed every <see cref="MembershipOptions.TableRefreshPeriod"/>.</summary>
    IReadOnlyList<MembershipEntry> Members { get; }

    /// <summary>Reads the table now and returns the fresh rows.</summary>
    Task<IReadOnlyList<MembershipEntry>> RefreshAsync();

    /// <summary>
    /// Raised after a read of the table that found a silo joined, gone, or in another status (a silo
    /// declared Dead, say), on the thread that read it: those that act on deaths need not poll.
    /// </summary>
    event Action? Changed;
}

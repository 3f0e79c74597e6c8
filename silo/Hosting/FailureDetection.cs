using Orleans.Configuration;

namespace GridActors.Silo.Hosting;

/// <summary>
/// Orleans' membership settings for a grid of volunteers, who vanish without warning: a silo that is
/// killed is declared Dead within about a second on a LAN, so its jobs are reissued at once.
/// docs/ARCHITECTURE.md gives each setting's reason.
/// </summary>
internal static class FailureDetection
{
    public static void Configure(ClusterMembershipOptions options)
    {
        // Each silo probes its peers, starting at once a second (Orleans then adapts each peer's period
        // between 0.5 and 4 s); two probes missed in a row make it vote, and two votes (or one, with two
        // silos) declare a peer Dead. A killed silo refuses connections, so its probes fail at once:
        // 0.7 to 1 s from the kill to the declaration, measured on loopback (bench/recovery.sh).
        options.ProbeTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedProbesLimit = 2;
        options.NumVotesForDeathDeclaration = 2;

        // Changes travel by gossip at once; reading the table every 5 s is the safety net.
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);

        // Each silo writes its IAmAlive time every second, so a silo that vanished is known as stale
        // after 3 s. A joining silo probes stale silos only, and waits for every Active silo to
        // answer before it joins: without this, a grid whose last silo was killed would keep its next
        // silo waiting 90 s (Orleans' default of 3 x 30 s) before it could join.
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedTableIAmAliveLimit = 3;

        // Rows of silos dead a day are removed (Orleans also keeps at most 25 dead rows), so the table
        // of a grid whose volunteers come and go stays small and `grid usage` lists the living.
        options.DefunctSiloCleanupPeriod = TimeSpan.FromHours(1);
        options.DefunctSiloExpiration = TimeSpan.FromDays(1);
    }
}

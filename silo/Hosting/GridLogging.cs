using Microsoft.Extensions.Logging;

namespace GridActors.Silo.Hosting;

/// <summary>How much of Orleans' own logging a grid shows.</summary>
public static class GridLogging
{
    /// <summary>
    /// Orleans logs at <paramref name="level"/> and above, less what a grid of volunteers makes routine:
    /// while a silo that vanished is being declared Dead (a second or two), its peers' attempts to
    /// reach it fail in many of Orleans' components, each logging it; the grid logs the death itself,
    /// once. Also left out: the advice to use server GC (a volunteer's silo leaves the CPU to its
    /// runners on purpose), and the retries of Orleans' placement (Polly) as a silo stops. Logging__LogLevel__Orleans=Information in the environment shows it all.
    /// </summary>
    public static void QuietOrleans(ILoggingBuilder logging, LogLevel level)
    {
        logging.AddFilter("Orleans", level);
        logging.AddFilter("Polly", LogLevel.Error);
        foreach (var routine in (string[])[
            "Orleans.Runtime.Silo",
            "Orleans.Runtime.Watchdog",
            "Orleans.Runtime.Messaging",
            "Orleans.Runtime.GrainDirectory",
            "Orleans.Runtime.Metadata.ClusterManifestProvider",
            "Orleans.Runtime.MembershipService.MembershipSystemTarget",
            "Orleans.Runtime.MembershipService.SiloHealthMonitor",
            "Orleans.Runtime.MembershipService.MembershipTableManager",
            "Orleans.Runtime.MembershipService.MembershipAgent",
            "Orleans.Runtime.MembershipService.ClusterHealthMonitor"])
        {
            logging.AddFilter(routine, LogLevel.Critical);
        }
    }
}

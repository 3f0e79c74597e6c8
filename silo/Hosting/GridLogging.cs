using Microsoft.Extensions.Logging;

namespace GridActors.Silo.Hosting;

/// <summary>How much of Orleans' own logging a grid shows.</summary>
public static class GridLogging
{
    private static volatile bool s_stopping;

    /// <summary>
    /// Orleans logs at <paramref name="level"/> and above, less what a grid of volunteers makes routine:
    /// while a silo that vanished is being declared Dead (a second or two), its peers' attempts to
    /// reach it fail in many of Orleans' components, each logging it; the grid logs the death itself,
    /// once. Also left out: the advice to use server GC (a volunteer's silo leaves the CPU to its
    /// runners on purpose), and, once this process has begun to stop (<see cref="Stopping"/>), the
    /// errors of calls and placements into a silo that is going: the grid's grains keep working until
    /// they are deactivated, and their calls are refused as the silo goes. Logging__LogLevel__Orleans=Information
    /// in the environment shows more.
    /// </summary>
    public static void QuietOrleans(ILoggingBuilder logging, LogLevel level)
    {
        logging.AddFilter("Orleans", l => l >= level && !(s_stopping && l < LogLevel.Critical));
        logging.AddFilter("Polly", l => l >= LogLevel.Error && !(s_stopping && l < LogLevel.Critical));
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

    /// <summary>This process has begun to stop its silo: Orleans' complaints about calls into it are routine from now on.</summary>
    public static void Stopping() => s_stopping = true;
}

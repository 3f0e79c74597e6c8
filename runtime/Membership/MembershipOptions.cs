namespace GridActors.Runtime;

/// <summary>Settings of membership.</summary>
public sealed class MembershipOptions
{
    /// <summary>How often the silo writes its IAmAlive time and load. Default: 1 s.</summary>
    public TimeSpan IAmAlivePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the silo re-reads the membership table. Default: 1 s.</summary>
    public TimeSpan TableRefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A silo whose IAmAlive is older than this is declared Dead by its peers. Default: 3 s.</summary>
    public TimeSpan DeathTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The CPU use (0 to 100) above which the silo takes no new jobs. Default: 100, no limit.</summary>
    public double MaxCpuPercent { get; set; } = 100;
}

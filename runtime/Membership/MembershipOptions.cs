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

    /// <summary>How many Active peers each silo probes: the next ones after it in address order. Default: 2.</summary>
    public int ProbedPeers { get; set; } = 2;

    /// <summary>How long a probe may go unanswered before it counts as missed. Default: 2 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Probes missed in a row before a silo votes that the peer is dead. Default: 3.</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Fresh votes that declare a silo Dead (fewer when fewer other silos are Active). Default: 2.</summary>
    public int VotesForDeath { get; set; } = 2;

    /// <summary>How long a suspicion vote counts. Default: 10 s.</summary>
    public TimeSpan VoteExpiration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The CPU use (0 to 100) above which the silo takes no new jobs. Default: 100, no limit.</summary>
    public double MaxCpuPercent { get; set; } = 100;
}

namespace GridActors.Grid;

/// <summary>How the jobs of a task run, and how far their results are checked.</summary>
/// <param name="JobTimeout">Wall-time limit of one job.</param>
/// <param name="MaxAttempts">Attempts per job before it is reported failed; runners lost to a limit or a crash count, errors thrown by the module fail at once.</param>
/// <param name="KeepResults">Keep results after they are read, so they can be read again. An embedded `grid run` reads them once.</param>
/// <param name="Replicas">Volunteers each job runs on (1: once, no check). With <see cref="TrustMode.Adaptive"/>, the replicas a job from a volunteer not yet trusted gets (at least 2).</param>
/// <param name="Quorum">How many of the replicas must agree before a result is taken; 0 means all of <see cref="Replicas"/>.</param>
/// <param name="Trust">Whether volunteers that keep agreeing earn single, unreplicated jobs.</param>
/// <param name="CheckShare">Under adaptive trust, the share of a trusted volunteer's results checked by a replica all the same.</param>
/// <param name="TrustAfter">Under adaptive trust, the run of agreements after which a volunteer is trusted.</param>
/// <param name="MaxReplicas">Replicas a job may run when its replicas disagree, before the item fails; 0 means <see cref="DefaultMaxReplicas"/>.</param>
[GenerateSerializer, Immutable, Alias("grid.task-options")]
public sealed record TaskOptions(
    [property: Id(0)] TimeSpan JobTimeout,
    [property: Id(1)] int MaxAttempts,
    [property: Id(2)] bool KeepResults,
    [property: Id(3)] int Replicas = 1,
    [property: Id(4)] int Quorum = 0,
    [property: Id(5)] TrustMode Trust = TrustMode.None,
    [property: Id(6)] double CheckShare = TaskOptions.DefaultCheckShare,
    [property: Id(7)] int TrustAfter = TaskOptions.DefaultTrustAfter,
    [property: Id(8)] int MaxReplicas = 0)
{
    /// <summary>The share of a trusted volunteer's results checked at random, as BOINC's adaptive replication does by default in spirit: about one in ten.</summary>
    public const double DefaultCheckShare = 0.1;

    /// <summary>Agreements in a row that earn trust (BOINC uses a run of about ten).</summary>
    public const int DefaultTrustAfter = 10;

    /// <summary>The most replicas any job may have.</summary>
    public const int ReplicaLimit = 16;

    /// <summary>The defaults a user gets without flags: 60 s a job, 3 attempts, each job run once.</summary>
    public static TaskOptions Default { get; } = new(TimeSpan.FromSeconds(60), 3, KeepResults: true);

    /// <summary>Whether results are checked against other volunteers' at all: the jobs' randomness is then seeded, so replicas can agree.</summary>
    public bool Checked => Replicas > 1 || Trust == TrustMode.Adaptive;

    /// <summary>The replicas a checked job runs on: under adaptive trust at least 2.</summary>
    public int CheckedReplicas => Trust == TrustMode.Adaptive ? Math.Max(2, Replicas) : Replicas;

    /// <summary>Agreeing replicas that settle a checked job.</summary>
    public int CheckedQuorum => Quorum > 0 ? Math.Min(Quorum, CheckedReplicas) : CheckedReplicas;

    /// <summary>The replicas a job may run in all, extra ones included: by default two more than it starts with.</summary>
    public int DefaultMaxReplicas => Math.Min(ReplicaLimit, CheckedReplicas + 2);

    /// <summary>The replicas a job may run in all.</summary>
    public int ReplicaCap => MaxReplicas > 0 ? Math.Max(MaxReplicas, CheckedReplicas) : DefaultMaxReplicas;
}

/// <summary>Whether volunteers earn unreplicated jobs.</summary>
[GenerateSerializer, Alias("grid.trust-mode")]
public enum TrustMode
{
    /// <summary>Every job runs on its replicas.</summary>
    None,

    /// <summary>BOINC's adaptive replication: a volunteer whose recent results all agreed with others' gets single jobs, checked again at random.</summary>
    Adaptive,
}

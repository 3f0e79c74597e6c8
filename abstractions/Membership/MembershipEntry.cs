namespace GridActors;

/// <summary>One silo's row in the membership table.</summary>
/// <param name="Address">The silo.</param>
/// <param name="Name">A human name, by default the host name.</param>
/// <param name="Status">Where the silo is in its life cycle.</param>
/// <param name="StartTime">When the silo started.</param>
/// <param name="IAmAliveTime">The last time the silo said it was alive.</param>
/// <param name="Suspicions">Peers that suspect the silo is dead, with the time of each suspicion.</param>
/// <param name="Load">The silo's published load.</param>
public sealed record MembershipEntry(
    SiloAddress Address,
    string Name,
    SiloStatus Status,
    DateTimeOffset StartTime,
    DateTimeOffset IAmAliveTime,
    IReadOnlyList<Suspicion> Suspicions,
    SiloLoad Load);

/// <summary>A vote that a silo is dead.</summary>
/// <param name="Voter">The silo that suspects.</param>
/// <param name="Time">When it voted.</param>
public sealed record Suspicion(SiloAddress Voter, DateTimeOffset Time);

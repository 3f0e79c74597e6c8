namespace GridActors.Grid;

/// <summary>A volunteer's offer of slots.</summary>
/// <param name="Volunteer">The volunteer id (its grain key).</param>
/// <param name="Silo">The silo the volunteer runs on.</param>
/// <param name="Credits">Slots freed since the last request; with <paramref name="Absolute"/>, all the slots it has free.</param>
/// <param name="Absolute">The credits replace what the scheduler holds for this volunteer: the announcement that lets a new scheduler activation (after its silo died) learn every volunteer again, and mends drift.</param>
/// <param name="Identity">Who the volunteer is, as reputation knows it (a silo's name, a browser's id and key): replicas of one item go to different identities.</param>
[GenerateSerializer, Immutable, Alias("grid.work-request")]
public sealed record WorkRequest(
    [property: Id(0)] string Volunteer,
    [property: Id(1)] SiloAddress Silo,
    [property: Id(2)] int Credits,
    [property: Id(3)] bool Absolute = false,
    [property: Id(4)] string Identity = "");

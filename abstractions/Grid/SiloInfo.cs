namespace GridActors.Grid;

/// <summary>A silo as <c>grid usage</c> and <c>grid volunteers</c> show it.</summary>
/// <param name="Address">The address clients reach it at: its gateway, HOST:PORT.</param>
/// <param name="Name">Its name.</param>
/// <param name="Status">Where it is in its life cycle (Orleans' membership: Joining, Active, ShuttingDown, Stopping).</param>
/// <param name="Load">What it last published.</param>
/// <param name="LoadTime">When it last published.</param>
/// <param name="Scheduler">Whether the grid's scheduler is active on it.</param>
/// <param name="Http">Its HTTP endpoint, http://HOST:PORT: the dashboard and the browser volunteers' page; empty when unknown.</param>
[GenerateSerializer, Immutable, Alias("grid.silo-info")]
public sealed record SiloInfo(
    [property: Id(0)] string Address,
    [property: Id(1)] string Name,
    [property: Id(2)] string Status,
    [property: Id(3)] SiloLoad Load,
    [property: Id(4)] DateTimeOffset LoadTime,
    [property: Id(5)] bool Scheduler = false,
    [property: Id(6)] string Http = "");

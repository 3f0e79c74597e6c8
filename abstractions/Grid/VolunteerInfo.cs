namespace GridActors.Grid;

/// <summary>A volunteer and its silo.</summary>
/// <param name="Silo">The silo it runs on.</param>
/// <param name="Stats">What it has done; null when its silo did not answer.</param>
[GenerateSerializer, Immutable, Alias("grid.volunteer-info")]
public sealed record VolunteerInfo([property: Id(0)] SiloInfo Silo, [property: Id(1)] VolunteerStats? Stats);

namespace GridActors.Grid;

/// <summary>Mean, standard deviation, least and most of a series of measures; all zero when there were none.</summary>
[GenerateSerializer, Immutable, Alias("grid.spread")]
public sealed record Spread([property: Id(0)] double Mean, [property: Id(1)] double StdDev, [property: Id(2)] double Min, [property: Id(3)] double Max);

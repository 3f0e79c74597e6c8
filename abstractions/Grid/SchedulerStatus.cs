namespace GridActors.Grid;

/// <summary>The scheduler's view.</summary>
/// <param name="Queued">Jobs waiting for a volunteer.</param>
/// <param name="Credits">Free slots per volunteer.</param>
/// <param name="Silo">The silo the scheduler is active on.</param>
[GenerateSerializer, Immutable, Alias("grid.scheduler-status")]
public sealed record SchedulerStatus(
    [property: Id(0)] int Queued,
    [property: Id(1)] IReadOnlyDictionary<string, int> Credits,
    [property: Id(2)] SiloAddress Silo);

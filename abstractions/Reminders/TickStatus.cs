namespace GridActors;

/// <summary>Describes a reminder tick.</summary>
/// <param name="FirstTickTime">When the reminder was first due.</param>
/// <param name="Period">The period between ticks.</param>
/// <param name="CurrentTickTime">When this tick was due. Ticks missed during an outage are folded into one.</param>
public readonly record struct TickStatus(DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset CurrentTickTime);

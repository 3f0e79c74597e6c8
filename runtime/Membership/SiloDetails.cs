namespace GridActors.Runtime;

/// <summary>Who this silo is.</summary>
/// <param name="Address">The silo's address, with the epoch of this process.</param>
/// <param name="Name">The silo's human name.</param>
public sealed record SiloDetails(SiloAddress Address, string Name);

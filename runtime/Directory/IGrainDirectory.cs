namespace GridActors.Runtime;

/// <summary>
/// Where each grain is activated, across the cluster. Registration is first-come: when two silos
/// race to activate a grain, one registration wins and the other silo forwards to the winner.
/// </summary>
public interface IGrainDirectory
{
    /// <summary>The silo the grain is registered on, or null.</summary>
    Task<SiloAddress?> LookupAsync(GrainId grainId);

    /// <summary>
    /// Registers the grain on <paramref name="silo"/> unless it is registered elsewhere, and returns
    /// where it is registered now. An entry that points at <paramref name="deadSilo"/> is replaced.
    /// </summary>
    Task<SiloAddress> RegisterAsync(GrainId grainId, SiloAddress silo, SiloAddress? deadSilo = null);

    /// <summary>Removes the grain's entry if it still points at <paramref name="silo"/>.</summary>
    Task UnregisterAsync(GrainId grainId, SiloAddress silo);
}

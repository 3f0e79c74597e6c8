namespace GridActors.Grains.Silos;

/// <summary>
/// Where silos publish their load and read each other's: the scheduler places jobs by it, and
/// <c>grid usage</c> shows it. Liveness is not its business: which silos are Active comes from
/// Orleans' membership; this board only says how busy they are.
/// </summary>
public interface ISiloLoadBoard
{
    /// <summary>The last load each silo published, as this silo last read the board.</summary>
    IReadOnlyDictionary<SiloAddress, PublishedLoad> Current { get; }

    /// <summary>Publishes this silo's load.</summary>
    Task PublishAsync(SiloAddress silo, PublishedLoad load);

    /// <summary>Reads every silo's last load into <see cref="Current"/>.</summary>
    Task RefreshAsync();

    /// <summary>Removes the entries of silos that are gone (left, or declared Dead).</summary>
    Task RemoveAsync(IReadOnlyCollection<SiloAddress> silos);
}

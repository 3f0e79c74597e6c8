namespace GridActors.Runtime;

/// <summary>Asks a peer silo directly whether it answers: the probe half of failure detection.</summary>
public interface ISiloProber
{
    /// <summary>True when the silo answered; false when it did not; throws <see cref="ProbeRefusedException"/> when its host refused the connection.</summary>
    Task<bool> ProbeAsync(SiloAddress silo, CancellationToken cancellationToken);
}

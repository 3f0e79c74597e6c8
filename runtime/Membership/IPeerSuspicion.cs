namespace GridActors.Runtime;

/// <summary>
/// Where a silo hears of a sign that a peer may be gone, out of the probing rounds: a connection to it
/// broke. The failure detector probes the peer at once instead of at its next round, so a killed
/// silo is declared Dead within milliseconds rather than a second.
/// </summary>
internal interface IPeerSuspicion
{
    /// <summary>Probes <paramref name="peer"/> now, unless it is not Active or a probe of it is under way.</summary>
    void PeerMayBeDown(SiloAddress peer);
}

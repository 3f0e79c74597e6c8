namespace GridActors.Runtime;

/// <summary>
/// A probe reached the peer's host and was refused: nothing listens on the silo's port. An Active
/// silo listens until it stops, so this is taken as proof the silo is gone, not as one missed probe
/// among several. Thrown by an <see cref="ISiloProber"/>.
/// </summary>
public sealed class ProbeRefusedException(string message, Exception? innerException = null) : Exception(message, innerException);

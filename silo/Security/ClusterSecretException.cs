namespace GridActors.Silo.Security;

/// <summary>A connection did not pass the cluster secret's handshake.</summary>
public sealed class ClusterSecretException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterSecretException(HandshakeFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>Creates the exception with its cause.</summary>
    public ClusterSecretException(HandshakeFailure failure, string message, Exception innerException)
        : base(message, innerException) => Failure = failure;

    /// <summary>Why it failed.</summary>
    public HandshakeFailure Failure { get; }
}

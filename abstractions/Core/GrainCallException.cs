namespace GridActors;

/// <summary>A grain call could not be delivered or did not complete in time.</summary>
public sealed class GrainCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainCallException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public GrainCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

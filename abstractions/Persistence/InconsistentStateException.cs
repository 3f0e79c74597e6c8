namespace GridActors;

/// <summary>A conditional write found another ETag than expected: someone else wrote the record since it was read.</summary>
public sealed class InconsistentStateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InconsistentStateException(string message)
        : base(message)
    {
    }
}

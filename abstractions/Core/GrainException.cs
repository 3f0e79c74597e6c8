namespace GridActors;

/// <summary>
/// A grain method on another process threw an exception of a type that does not cross the wire; the
/// message names the original type. Unlike <see cref="GrainCallException"/>, the call was delivered:
/// repeating it is not expected to help.
/// </summary>
public sealed class GrainException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainException(string message)
        : base(message)
    {
    }
}

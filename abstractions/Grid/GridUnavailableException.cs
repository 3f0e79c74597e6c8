namespace GridActors.Grid;

/// <summary>
/// The grid's storage (its Redis) did not answer a grain in time. The call did no harm and may be
/// repeated: clients wait and try again, as they do when a silo is lost.
/// </summary>
[GenerateSerializer, Alias("grid.unavailable")]
public sealed class GridUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GridUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public GridUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

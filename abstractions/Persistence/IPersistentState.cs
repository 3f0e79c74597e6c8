namespace GridActors;

/// <summary>
/// State of a grain kept in a storage provider. Writes are conditional on <see cref="Etag"/>: a write
/// based on a stale read fails with <see cref="InconsistentStateException"/>, the last line of defence
/// against two activations of one grain.
/// </summary>
/// <typeparam name="TState">The state record.</typeparam>
public interface IPersistentState<TState>
    where TState : class, new()
{
    /// <summary>The state. A new instance when no record exists.</summary>
    TState State { get; set; }

    /// <summary>The version of the stored record; null when none exists.</summary>
    string? Etag { get; }

    /// <summary>Whether a stored record exists.</summary>
    bool RecordExists { get; }

    /// <summary>Reloads the state from storage.</summary>
    Task ReadStateAsync();

    /// <summary>Writes the state to storage.</summary>
    Task WriteStateAsync();

    /// <summary>Removes the stored record and resets the state.</summary>
    Task ClearStateAsync();
}

namespace GridActors;

/// <summary>A storage provider for grain state: serialised bytes with an ETag for compare-and-set.</summary>
public interface IGrainStorage
{
    /// <summary>Reads the record, or null when none exists.</summary>
    Task<StoredState?> ReadAsync(string stateName, GrainId grainId);

    /// <summary>Writes the record when <paramref name="expectedEtag"/> matches the stored one (null: no record may exist). Returns the new ETag.</summary>
    /// <exception cref="InconsistentStateException">The stored ETag is not the expected one.</exception>
    Task<string> WriteAsync(string stateName, GrainId grainId, ReadOnlyMemory<byte> data, string? expectedEtag);

    /// <summary>Removes the record when <paramref name="expectedEtag"/> matches.</summary>
    /// <exception cref="InconsistentStateException">The stored ETag is not the expected one.</exception>
    Task ClearAsync(string stateName, GrainId grainId, string? expectedEtag);
}

/// <summary>A stored grain state record.</summary>
/// <param name="Data">The serialised state.</param>
/// <param name="Etag">The record's version.</param>
public sealed record StoredState(ReadOnlyMemory<byte> Data, string Etag);

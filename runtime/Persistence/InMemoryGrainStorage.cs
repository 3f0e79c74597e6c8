using System.Globalization;

namespace GridActors.Runtime.Persistence;

/// <summary>Grain state in this process's memory, with the same ETag rules as the durable providers.</summary>
internal sealed class InMemoryGrainStorage : IGrainStorage
{
    private readonly Dictionary<(string State, GrainId Grain), StoredState> _records = [];
    private long _version;

    public Task<StoredState?> ReadAsync(string stateName, GrainId grainId)
    {
        lock (_records)
        {
            return Task.FromResult(_records.TryGetValue((stateName, grainId), out var stored) ? stored : null);
        }
    }

    public Task<string> WriteAsync(string stateName, GrainId grainId, ReadOnlyMemory<byte> data, string? expectedEtag)
    {
        lock (_records)
        {
            Check(stateName, grainId, expectedEtag);
            var etag = (++_version).ToString(CultureInfo.InvariantCulture);
            _records[(stateName, grainId)] = new StoredState(data.ToArray(), etag);
            return Task.FromResult(etag);
        }
    }

    public Task ClearAsync(string stateName, GrainId grainId, string? expectedEtag)
    {
        lock (_records)
        {
            Check(stateName, grainId, expectedEtag);
            _records.Remove((stateName, grainId));
            return Task.CompletedTask;
        }
    }

    private void Check(string stateName, GrainId grainId, string? expectedEtag)
    {
        var stored = _records.TryGetValue((stateName, grainId), out var record) ? record.Etag : null;
        if (stored != expectedEtag)
        {
            throw new InconsistentStateException(
                $"State '{stateName}' of grain {grainId} is at version {stored ?? "none"}, not {expectedEtag ?? "none"}: another activation wrote it.");
        }
    }
}

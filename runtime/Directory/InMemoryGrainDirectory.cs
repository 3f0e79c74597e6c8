namespace GridActors.Runtime.Directory;

/// <summary>The grain directory of a lone silo, in its memory.</summary>
internal sealed class InMemoryGrainDirectory : IGrainDirectory
{
    private readonly Dictionary<GrainId, SiloAddress> _entries = [];

    public Task<SiloAddress?> LookupAsync(GrainId grainId)
    {
        lock (_entries)
        {
            return Task.FromResult<SiloAddress?>(_entries.TryGetValue(grainId, out var silo) ? silo : null);
        }
    }

    public Task<SiloAddress> RegisterAsync(GrainId grainId, SiloAddress silo, SiloAddress? deadSilo = null)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(grainId, out var current) || current == deadSilo)
            {
                _entries[grainId] = current = silo;
            }

            return Task.FromResult(current);
        }
    }

    public Task UnregisterAsync(GrainId grainId, SiloAddress silo)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(grainId, out var current) && current == silo)
            {
                _entries.Remove(grainId);
            }

            return Task.CompletedTask;
        }
    }
}

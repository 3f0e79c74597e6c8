using System.Collections.Concurrent;

namespace GridActors.Grains.Silos;

/// <summary>The load board of an embedded grid: one silo, in this process.</summary>
internal sealed class InMemorySiloLoadBoard : ISiloLoadBoard
{
    private readonly ConcurrentDictionary<SiloAddress, PublishedLoad> _loads = new();

    public IReadOnlyDictionary<SiloAddress, PublishedLoad> Current => _loads;

    public Task PublishAsync(SiloAddress silo, PublishedLoad load)
    {
        _loads[silo] = load;
        return Task.CompletedTask;
    }

    public Task RefreshAsync() => Task.CompletedTask;

    public Task RemoveAsync(IReadOnlyCollection<SiloAddress> silos)
    {
        foreach (var silo in silos)
        {
            _loads.TryRemove(silo, out _);
        }

        return Task.CompletedTask;
    }
}

using System.Collections.Concurrent;

namespace GridActors.Runtime.Messaging;

/// <summary>
/// Where grains on other silos were last found, bounded: a silo calls millions of short-lived job
/// grains over its life, and remembering each would grow without end. Entries live in two
/// generations; a lookup that finds an entry in the older one moves it to the newer, and when the
/// newer generation is full the older one is dropped whole. Frequently used locations stay; a dropped
/// one costs one directory lookup. Thread-safe.
/// </summary>
internal sealed class LocationCache(int capacity)
{
    private readonly Lock _turnover = new();
    private ConcurrentDictionary<GrainId, SiloAddress> _newer = new();
    private ConcurrentDictionary<GrainId, SiloAddress> _older = new();

    /// <summary>The most entries held: two generations of half of it each.</summary>
    public int Capacity { get; } = Math.Max(2, capacity);

    /// <summary>Entries held now.</summary>
    public int Count => _newer.Count + _older.Count;

    public bool TryGet(GrainId grain, out SiloAddress silo)
    {
        if (_newer.TryGetValue(grain, out silo!))
        {
            return true;
        }

        if (_older.TryGetValue(grain, out silo!))
        {
            Set(grain, silo);
            return true;
        }

        return false;
    }

    public void Set(GrainId grain, SiloAddress silo)
    {
        if (_newer.Count >= Capacity / 2)
        {
            lock (_turnover)
            {
                if (_newer.Count >= Capacity / 2)
                {
                    _older = _newer;
                    _newer = new ConcurrentDictionary<GrainId, SiloAddress>();
                }
            }
        }

        _newer[grain] = silo;
    }

    /// <summary>Forgets the grain's location if it is <paramref name="silo"/>.</summary>
    public void Remove(GrainId grain, SiloAddress silo)
    {
        _newer.TryRemove(new KeyValuePair<GrainId, SiloAddress>(grain, silo));
        _older.TryRemove(new KeyValuePair<GrainId, SiloAddress>(grain, silo));
    }
}

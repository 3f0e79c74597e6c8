using System.Collections.Concurrent;

namespace GridActors.Runtime.Activation;

/// <summary>
/// The activations of this silo, one per grain id. A grain whose previous activation is still
/// deactivating waits for it before it activates again, so no two activations of a grain overlap.
/// </summary>
internal sealed class Catalog
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly ConcurrentDictionary<GrainId, Task> _deactivating = new();
    private SiloRuntime? _runtime;

    /// <summary>Raised when an activation has gone, so the cluster router can give up its directory entry.</summary>
    public event Action<GrainId>? Deactivated;

    internal void Attach(SiloRuntime runtime) => _runtime = runtime;

    public GrainActivation GetOrCreate(GrainId grainId)
    {
        if (_activations.TryGetValue(grainId, out var existing))
        {
            return existing;
        }

        var predecessor = _deactivating.TryGetValue(grainId, out var pending) ? pending : Task.CompletedTask;
        return _activations.GetOrAdd(grainId, new GrainActivation(grainId, _runtime!, predecessor));
    }

    public bool TryGet(GrainId grainId, out GrainActivation activation) => _activations.TryGetValue(grainId, out activation!);

    /// <summary>Called under the activation's lock when it starts to go away.</summary>
    internal void OnDeactivating(GrainActivation activation)
    {
        _deactivating[activation.GrainId] = activation.Deactivated;
        _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.GrainId, activation));
    }

    internal void OnDeactivated(GrainActivation activation)
    {
        _deactivating.TryRemove(new KeyValuePair<GrainId, Task>(activation.GrainId, activation.Deactivated));
        Deactivated?.Invoke(activation.GrainId);
    }

    /// <summary>Deactivates the activations idle since <paramref name="cutoffTimestamp"/>; returns how many.</summary>
    public int CollectIdle(long cutoffTimestamp)
    {
        var collected = 0;
        foreach (var activation in _activations.Values)
        {
            if (activation.IsIdleSince(cutoffTimestamp))
            {
                activation.DeactivateOnIdle();
                collected++;
            }
        }

        return collected;
    }

    /// <summary>Deactivates every activation, as the silo stops.</summary>
    public async Task DeactivateAllAsync(TimeSpan timeout, TimeProvider timeProvider)
    {
        var activations = _activations.Values.ToArray();
        foreach (var activation in activations)
        {
            activation.DeactivateOnIdle();
        }

        try
        {
            await Task.WhenAll(activations.Select(a => a.Deactivated)).WaitAsync(timeout, timeProvider);
        }
        catch (TimeoutException)
        {
            // Calls still running after the timeout are abandoned with the process.
        }
    }
}

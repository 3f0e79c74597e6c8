using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GridActors.Runtime.Persistence;

/// <summary>A grain's state in an <see cref="IGrainStorage"/>, serialised with System.Text.Json.</summary>
internal sealed class PersistentState<TState>(string name, GrainId grainId, IGrainStorage storage, JsonTypeInfo<TState> typeInfo)
    : IPersistentState<TState>, ILoadableState
    where TState : class, new()
{
    public TState State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists => Etag is not null;

    public async Task ReadStateAsync()
    {
        var stored = await storage.ReadAsync(name, grainId);
        if (stored is null)
        {
            State = new TState();
            Etag = null;
            return;
        }

        State = JsonSerializer.Deserialize(stored.Data.Span, typeInfo)
            ?? throw new InvalidOperationException($"State '{name}' of grain {grainId} is stored as null.");
        Etag = stored.Etag;
    }

    public async Task WriteStateAsync()
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(State, typeInfo);
        Etag = await storage.WriteAsync(name, grainId, data, Etag);
    }

    public async Task ClearStateAsync()
    {
        await storage.ClearAsync(name, grainId, Etag);
        Etag = null;
        State = new TState();
    }
}

/// <summary>What the activation needs of a state before the grain's first call.</summary>
internal interface ILoadableState
{
    Task ReadStateAsync();
}

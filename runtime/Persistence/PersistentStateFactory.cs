using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Persistence;

/// <summary>Creates the <see cref="IPersistentState{TState}"/> objects a grain's constructor asks for.</summary>
internal sealed class PersistentStateFactory(IGrainStorage storage, IOptions<SerializationOptions> options)
{
    private static readonly MethodInfo MakeMethod = typeof(PersistentStateFactory).GetMethod(nameof(Make), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly JsonSerializerOptions _json = new()
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine([.. options.Value.Resolvers]),
    };

    // One constructor per state type, made once: every job activates a grain with a state, and
    // building the generic type and calling its constructor by reflection each time cost 4 % of the
    // embedded grid's CPU on trivial jobs.
    private readonly ConcurrentDictionary<Type, (JsonTypeInfo TypeInfo, Maker Make)> _makers = new();

    private delegate ILoadableState Maker(string name, GrainId grainId, IGrainStorage storage, JsonTypeInfo typeInfo);

    public ILoadableState Create(GrainId grainId, StateParameter parameter)
    {
        var (typeInfo, make) = _makers.GetOrAdd(
            parameter.StateType,
            static (type, json) => (json.GetTypeInfo(type), MakeMethod.MakeGenericMethod(type).CreateDelegate<Maker>()),
            _json);
        return make(parameter.Name, grainId, storage, typeInfo);
    }

    private static ILoadableState Make<TState>(string name, GrainId grainId, IGrainStorage storage, JsonTypeInfo typeInfo)
        where TState : class, new() =>
        new PersistentState<TState>(name, grainId, storage, (JsonTypeInfo<TState>)typeInfo);
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Persistence;

/// <summary>Creates the <see cref="IPersistentState{TState}"/> objects a grain's constructor asks for.</summary>
internal sealed class PersistentStateFactory(IGrainStorage storage, IOptions<SerializationOptions> options)
{
    private readonly JsonSerializerOptions _json = new()
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine([.. options.Value.Resolvers]),
    };

    public ILoadableState Create(GrainId grainId, StateParameter parameter)
    {
        var typeInfo = _json.GetTypeInfo(parameter.StateType);
        var stateType = typeof(PersistentState<>).MakeGenericType(parameter.StateType);
        return (ILoadableState)Activator.CreateInstance(stateType, parameter.Name, grainId, storage, typeInfo)!;
    }
}

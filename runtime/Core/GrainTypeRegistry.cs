using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace GridActors.Runtime;

/// <summary>Maps grain interfaces to grain type names and grain type names to their implementations.</summary>
internal sealed class GrainTypeRegistry
{
    private readonly ConcurrentDictionary<Type, string> _typeNames = new();
    private readonly Dictionary<string, GrainClass> _classes = new(StringComparer.Ordinal);

    public GrainTypeRegistry(IEnumerable<GrainClassRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            var implementation = registration.Implementation;
            foreach (var grainInterface in implementation.GetInterfaces().Where(IsGrainInterface))
            {
                var name = TypeNameOf(grainInterface);
                if (_classes.TryGetValue(name, out var existing) && existing.Type != implementation)
                {
                    throw new InvalidOperationException($"Grain type '{name}' is implemented by both {existing.Type.Name} and {implementation.Name}.");
                }

                _classes[name] = new GrainClass(implementation);
            }
        }
    }

    public string TypeNameOf(Type grainInterface) => _typeNames.GetOrAdd(grainInterface, static t =>
        t.GetCustomAttribute<GrainTypeAttribute>()?.Name ?? t.Name);

    public GrainClass ClassOf(GrainId grainId) => _classes.TryGetValue(grainId.Type, out var grainClass)
        ? grainClass
        : throw new GrainCallException($"No grain class implements grain type '{grainId.Type}' on this silo.");

    private static bool IsGrainInterface(Type type) =>
        typeof(IGrain).IsAssignableFrom(type) && type != typeof(IGrain) && type != typeof(IGrainWithStringKey) && type != typeof(IRemindable);
}

/// <summary>A grain implementation registered with <see cref="SiloServiceCollectionExtensions.AddGrain{TGrain}"/>.</summary>
internal sealed record GrainClassRegistration(Type Implementation);

/// <summary>A grain implementation and how to construct it.</summary>
internal sealed class GrainClass
{
    private readonly ObjectFactory _factory;

    public GrainClass(Type type)
    {
        Type = type;
        var constructor = type.GetConstructors().Single();
        StateParameters = constructor.GetParameters()
            .Select(p => (Parameter: p, Attribute: p.GetCustomAttribute<PersistentStateAttribute>()))
            .Where(p => p.Attribute is not null)
            .Select(p => new StateParameter(p.Attribute!.StateName, p.Parameter.ParameterType))
            .ToArray();
        foreach (var state in StateParameters)
        {
            if (!state.ParameterType.IsGenericType || state.ParameterType.GetGenericTypeDefinition() != typeof(IPersistentState<>))
            {
                throw new InvalidOperationException($"{type.Name}: [PersistentState(\"{state.Name}\")] must be on an IPersistentState<T> parameter.");
            }
        }

        _factory = ActivatorUtilities.CreateFactory(type, StateParameters.Select(s => s.ParameterType).ToArray());
    }

    public Type Type { get; }

    public IReadOnlyList<StateParameter> StateParameters { get; }

    public Grain Create(IServiceProvider services, object[] states) => (Grain)_factory(services, states);
}

/// <summary>A constructor parameter that receives persistent state.</summary>
internal sealed record StateParameter(string Name, Type ParameterType)
{
    public Type StateType => ParameterType.GetGenericArguments()[0];
}

namespace GridActors;

/// <summary>Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/> to be filled with the grain's stored state.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName) : Attribute
{
    /// <summary>The name of the state, unique per grain type.</summary>
    public string StateName { get; } = stateName;
}

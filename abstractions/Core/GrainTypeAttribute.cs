namespace GridActors;

/// <summary>Names the grain type of a grain interface (for example "task"). Without it the interface name is used.</summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    /// <summary>The grain type name, part of every <see cref="GrainId"/> of this interface.</summary>
    public string Name { get; } = name;
}

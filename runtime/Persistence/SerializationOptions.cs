using System.Text.Json.Serialization.Metadata;

namespace GridActors.Runtime.Persistence;

/// <summary>The System.Text.Json contracts of grain state and wire records; each assembly adds its source-generated context.</summary>
public sealed class SerializationOptions
{
    /// <summary>The resolvers tried in order for a type's JSON contract.</summary>
    public IList<IJsonTypeInfoResolver> Resolvers { get; } = [];
}

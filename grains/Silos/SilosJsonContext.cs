using System.Text.Json.Serialization;

namespace GridActors.Grains.Silos;

/// <summary>The JSON contract of the load board's entries.</summary>
[JsonSerializable(typeof(PublishedLoad))]
internal sealed partial class SilosJsonContext : JsonSerializerContext;

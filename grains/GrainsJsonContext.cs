using System.Text.Json.Serialization;

namespace GridActors.Grains;

/// <summary>The JSON contracts of the grains' stored state.</summary>
[JsonSerializable(typeof(TaskGrainState))]
[JsonSerializable(typeof(JobGrainState))]
[JsonSerializable(typeof(ModuleGrainState))]
internal sealed partial class GrainsJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace GridActors.Runner.Protocol;

/// <summary>The JSON contracts of the runner protocol.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RunnerRequest))]
[JsonSerializable(typeof(RunnerReply))]
[JsonSerializable(typeof(string[]))]
public sealed partial class RunnerJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace GridActors.Cli;

/// <summary>The JSON contracts the CLI reads and writes.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;
using GridActors.Cli.Commands;
using GridActors.Grid;

namespace GridActors.Cli;

/// <summary>The JSON contracts the CLI reads and writes: items, and what the --json options print.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(TaskStatusView))]
[JsonSerializable(typeof(List<TaskStatusView>))]
[JsonSerializable(typeof(List<VolunteerView>))]
[JsonSerializable(typeof(InvitationView))]
[JsonSerializable(typeof(List<InvitationView>))]
[JsonSerializable(typeof(IReadOnlyList<SiloInfo>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

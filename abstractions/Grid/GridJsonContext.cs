using System.Text.Json.Serialization;

namespace GridActors.Grid;

/// <summary>
/// The JSON contracts of the records the grid stores as JSON (results in the task store) and prints
/// (the CLI's --json output). Grain calls use Orleans' own serializer.
/// </summary>
[JsonSerializable(typeof(JobReport))]
[JsonSerializable(typeof(SiloLoad))]
[JsonSerializable(typeof(TaskInfo))]
[JsonSerializable(typeof(IReadOnlyList<SiloInfo>))]
[JsonSerializable(typeof(IReadOnlyList<VolunteerInfo>))]
public sealed partial class GridJsonContext : JsonSerializerContext;

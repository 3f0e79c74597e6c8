using System.Text.Json.Serialization;

namespace GridActors.Grid;

/// <summary>
/// The JSON contracts of every argument and result of the grid's grain interfaces, so a grain call can
/// cross the wire between silos and clients. A test checks that each interface method is covered.
/// </summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(TimeSpan))]
[JsonSerializable(typeof(TickStatus))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyList<JobTicket>))]
[JsonSerializable(typeof(TaskSpec))]
[JsonSerializable(typeof(AddItemsResult))]
[JsonSerializable(typeof(ResultPage))]
[JsonSerializable(typeof(JobReport))]
[JsonSerializable(typeof(TaskProgress))]
[JsonSerializable(typeof(JobSpec))]
[JsonSerializable(typeof(JobOutcome))]
[JsonSerializable(typeof(JobStatus))]
[JsonSerializable(typeof(WorkRequest))]
[JsonSerializable(typeof(SchedulerStatus))]
[JsonSerializable(typeof(VolunteerStats))]
[JsonSerializable(typeof(ModuleSource))]
[JsonSerializable(typeof(TaskInfo))]
[JsonSerializable(typeof(IReadOnlyList<SiloInfo>))]
[JsonSerializable(typeof(IReadOnlyList<VolunteerInfo>))]
public sealed partial class GridJsonContext : JsonSerializerContext;

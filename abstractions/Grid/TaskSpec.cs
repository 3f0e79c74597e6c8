namespace GridActors.Grid;

/// <summary>What a task runs.</summary>
/// <param name="ModuleHash">The content hash of the module (see <see cref="IModuleGrain"/>).</param>
/// <param name="ModuleName">The module's file name, for messages.</param>
/// <param name="Options">How the jobs run.</param>
[GenerateSerializer, Immutable, Alias("grid.task-spec")]
public sealed record TaskSpec([property: Id(0)] string ModuleHash, [property: Id(1)] string ModuleName, [property: Id(2)] TaskOptions Options);

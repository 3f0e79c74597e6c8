namespace GridActors.Grid;

/// <summary>
/// The grid as a whole, for the commands that look at it (grid status, grid volunteers, grid usage):
/// the tasks it holds, its silos and their volunteers. Any silo can answer.
/// </summary>
[Alias("grid.grid")]
public interface IGridGrain : IGrainWithStringKey
{
    /// <summary>The key of the one grid grain.</summary>
    const string Key = "default";

    /// <summary>The ids of the tasks the grid holds, oldest first.</summary>
    [Alias("tasks")]
    Task<IReadOnlyList<string>> ListTasksAsync();

    /// <summary>Every silo in Orleans' membership that is not Dead, with the load it published.</summary>
    [Alias("silos")]
    Task<IReadOnlyList<SiloInfo>> GetSilosAsync();

    /// <summary>The volunteer of every Active silo, with what it has done.</summary>
    [Alias("volunteers")]
    Task<IReadOnlyList<VolunteerInfo>> GetVolunteersAsync();
}

namespace GridActors.Grid;

/// <summary>A task module's source, stored once under its content hash (the grain key).</summary>
[Alias("grid.module")]
public interface IModuleGrain : IGrainWithStringKey
{
    /// <summary>Stores the source. Storing it again does nothing.</summary>
    [Alias("store")]
    Task StoreAsync(string name, string source);

    /// <summary>The module, or null when nothing is stored under this hash.</summary>
    [Alias("get")]
    Task<ModuleSource?> GetAsync();
}

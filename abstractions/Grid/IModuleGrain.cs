namespace GridActors.Grid;

/// <summary>A task module's source, stored once under its content hash (the grain key).</summary>
[GrainType("module")]
public interface IModuleGrain : IGrainWithStringKey
{
    /// <summary>Stores the source. Storing it again does nothing.</summary>
    Task StoreAsync(string name, string source);

    /// <summary>The module, or null when nothing is stored under this hash.</summary>
    Task<ModuleSource?> GetAsync();
}

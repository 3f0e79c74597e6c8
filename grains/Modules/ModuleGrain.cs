using GridActors.Grains.Storage;
using GridActors.Grid;

namespace GridActors.Grains.Modules;

/// <summary>A module's source, stored once under its content hash however many tasks use it.</summary>
internal sealed class ModuleGrain([PersistentState("module", GridStorage.Name)] IPersistentState<ModuleGrainState> state) : Grain, IModuleGrain
{
    public async Task StoreAsync(string name, string source)
    {
        if (state.RecordExists)
        {
            return;
        }

        state.State = new ModuleGrainState { Name = name, Source = source };
        await state.WriteStateAsync();
    }

    public Task<ModuleSource?> GetAsync() =>
        Task.FromResult(state.RecordExists ? new ModuleSource(state.State.Name, state.State.Source) : null);
}

/// <summary>The stored form of a module.</summary>
[GenerateSerializer, Alias("grid.module-grain-state")]
internal sealed class ModuleGrainState
{
    [Id(0)]
    public string Name { get; set; } = string.Empty;

    [Id(1)]
    public string Source { get; set; } = string.Empty;
}

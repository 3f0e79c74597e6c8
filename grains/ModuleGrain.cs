using GridActors.Grid;
using GridActors.Runtime;

namespace GridActors.Grains;

/// <summary>A module's source, stored once under its content hash however many tasks use it.</summary>
internal sealed class ModuleGrain([PersistentState("module")] IPersistentState<ModuleGrainState> state) : Grain, IModuleGrain
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
internal sealed class ModuleGrainState
{
    public string Name { get; set; } = string.Empty;

    public string Source { get; set; } = string.Empty;
}

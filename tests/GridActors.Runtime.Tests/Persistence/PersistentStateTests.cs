using GridActors.Runtime.Persistence;

namespace GridActors.Runtime.Tests.Persistence;

public class PersistentStateTests
{
    [Fact]
    public async Task Write_BasedOnAStaleRead_IsRefused()
    {
        var storage = new InMemoryGrainStorage();
        var id = new GrainId("probe", "a");
        var first = new PersistentState<CounterState>("counter", id, storage, TestJsonContext.Default.CounterState);
        var second = new PersistentState<CounterState>("counter", id, storage, TestJsonContext.Default.CounterState);
        await first.ReadStateAsync();
        await second.ReadStateAsync();

        first.State.Count = 1;
        await first.WriteStateAsync();
        second.State.Count = 2;
        var error = await Assert.ThrowsAsync<InconsistentStateException>(second.WriteStateAsync);

        Assert.Equal("State 'counter' of grain probe/a is at version 1, not none: another activation wrote it.", error.Message);
        await second.ReadStateAsync();
        Assert.Equal(1, second.State.Count);
    }

    [Fact]
    public async Task Clear_RemovesTheRecord()
    {
        var storage = new InMemoryGrainStorage();
        var id = new GrainId("probe", "a");
        var state = new PersistentState<CounterState>("counter", id, storage, TestJsonContext.Default.CounterState);
        state.State.Count = 5;
        await state.WriteStateAsync();

        await state.ClearStateAsync();

        Assert.False(state.RecordExists);
        Assert.Null(await storage.ReadAsync("counter", id));
        Assert.Equal(0, state.State.Count);
    }
}

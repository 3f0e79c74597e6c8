using GridActors.Grains.Storage;
using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>
/// A volunteer's reputation, kept in the grid's storage under its identity: how many of its checked
/// results agreed with the quorum and how many did not, and its run of agreements since the last
/// disagreement, which is what adaptive trust reads.
/// </summary>
internal sealed class ReputationGrain(
    [PersistentState("reputation", GridStorage.Name)] IPersistentState<ReputationState> state,
    TimeProvider time) : Grain, IReputationGrain
{
    public Task<Reputation> GetAsync() => Task.FromResult(Current);

    public async Task<Reputation> RecordAsync(IReadOnlyList<bool> verdicts)
    {
        var record = state.State;
        foreach (var agreed in verdicts)
        {
            if (agreed)
            {
                record.Agreed++;
                record.Streak++;
            }
            else
            {
                record.Disagreed++;
                record.Streak = 0;
                record.LastDisagreed = time.GetUtcNow();
            }
        }

        await state.WriteStateAsync();
        return Current;
    }

    private Reputation Current => new(this.GetPrimaryKeyString(), state.State.Agreed, state.State.Disagreed, state.State.Streak, state.State.LastDisagreed);
}

/// <summary>The stored part of a volunteer's reputation.</summary>
[GenerateSerializer, Alias("grid.reputation-state")]
internal sealed class ReputationState
{
    [Id(0)]
    public long Agreed { get; set; }

    [Id(1)]
    public long Disagreed { get; set; }

    [Id(2)]
    public long Streak { get; set; }

    [Id(3)]
    public DateTimeOffset? LastDisagreed { get; set; }
}

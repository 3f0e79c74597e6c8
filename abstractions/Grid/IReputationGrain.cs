namespace GridActors.Grid;

/// <summary>
/// A volunteer's reputation, keyed by its identity (a silo's name, or a browser's id and invitation
/// key) and kept in the grid's storage, so it outlives silo restarts and the volunteer's sessions.
/// Tasks that check results tell it, item by item, whether the volunteer's result agreed with the
/// quorum; under adaptive trust a volunteer whose last run of results all agreed gets single jobs.
/// </summary>
[Alias("grid.reputation")]
public interface IReputationGrain : IGrainWithStringKey
{
    /// <summary>The reputation as it stands.</summary>
    [Alias("get")]
    Task<Reputation> GetAsync();

    /// <summary>Records verdicts in the order they were reached: true when the volunteer's result agreed with the quorum. A disagreement ends its run of agreements.</summary>
    [Alias("record")]
    Task<Reputation> RecordAsync(IReadOnlyList<bool> verdicts);
}

/// <summary>How a volunteer's checked results compared with the others'.</summary>
/// <param name="Identity">The volunteer.</param>
/// <param name="Agreed">Checked results that agreed with the quorum.</param>
/// <param name="Disagreed">Checked results that did not.</param>
/// <param name="Streak">Agreements since the last disagreement.</param>
/// <param name="LastDisagreed">When it last disagreed, if ever.</param>
[GenerateSerializer, Immutable, Alias("grid.reputation-record")]
public sealed record Reputation(
    [property: Id(0)] string Identity,
    [property: Id(1)] long Agreed,
    [property: Id(2)] long Disagreed,
    [property: Id(3)] long Streak,
    [property: Id(4)] DateTimeOffset? LastDisagreed)
{
    /// <summary>Whether the volunteer has earned single jobs: a run of at least <paramref name="trustAfter"/> agreements.</summary>
    public bool IsTrusted(int trustAfter) => Streak >= trustAfter;
}

namespace GridActors.Runtime.Reminders;

/// <summary>The ring buckets whose reminders this silo fires.</summary>
internal interface IRingRange
{
    IReadOnlyList<(uint Begin, uint End)> OwnedRanges { get; }
}

/// <summary>A lone silo owns the whole ring.</summary>
internal sealed class WholeRing : IRingRange
{
    public IReadOnlyList<(uint Begin, uint End)> OwnedRanges { get; } = [(0u, uint.MaxValue)];
}

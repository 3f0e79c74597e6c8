namespace GridActors;

/// <summary>A snapshot of the membership table with its version.</summary>
/// <param name="Entries">Every row, with the row's own ETag.</param>
/// <param name="Version">The whole table's version, for conditional writes.</param>
public sealed record MembershipTableData(IReadOnlyList<(MembershipEntry Entry, string ETag)> Entries, TableVersion Version);

/// <summary>The version of the membership table. Every conditional write moves it by one.</summary>
/// <param name="Version">The version number.</param>
/// <param name="ETag">The stored version's tag.</param>
public sealed record TableVersion(int Version, string ETag)
{
    /// <summary>The version that follows this one.</summary>
    public TableVersion Next() => this with { Version = Version + 1 };
}

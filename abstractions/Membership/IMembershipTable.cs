namespace GridActors;

/// <summary>
/// The membership table: which silos form the cluster and how loaded each is. Status changes are
/// conditional writes on the table version; IAmAlive and load are cheap unconditional writes.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Reads every row.</summary>
    Task<MembershipTableData> ReadAllAsync();

    /// <summary>Inserts a row when the table is still at <paramref name="expectedVersion"/>'s predecessor; false when someone else wrote first.</summary>
    Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion expectedVersion);

    /// <summary>Replaces a row when its ETag and the table version still match; false when someone else wrote first.</summary>
    Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion expectedVersion);

    /// <summary>Records that the silo is alive and publishes its load, without a version check.</summary>
    Task UpdateIAmAliveAsync(SiloAddress address, DateTimeOffset time, SiloLoad load);
}

namespace GridActors.Grid;

/// <summary>
/// The browser volunteers connected to one silo, keyed by the silo's address and active only there
/// (their WebSockets end on that silo).
/// </summary>
[Alias("grid.browsers")]
public interface IBrowsersGrain : IGrainWithStringKey
{
    /// <summary>What each connected browser has done.</summary>
    [Alias("list")]
    Task<IReadOnlyList<VolunteerStats>> ListAsync();

    /// <summary>Drops the browsers connected with an invitation key (it was revoked); how many were dropped.</summary>
    [Alias("drop")]
    Task<int> DropAsync(string invitationKey);
}

namespace GridActors.Grid;

/// <summary>
/// The grid's invitations: keys for volunteer links and read-only dashboards, kept in the grid's
/// storage. Revoking a key drops the browsers connected with it, on every silo, at once.
/// </summary>
[Alias("grid.invitations")]
public interface IInvitationsGrain : IGrainWithStringKey
{
    /// <summary>The key of the grid's one invitations grain.</summary>
    const string Key = "default";

    /// <summary>Makes a new key.</summary>
    [Alias("create")]
    Task<Invitation> CreateAsync(InvitationKind kind, string label);

    /// <summary>Every key that has not been revoked, oldest first.</summary>
    [Alias("list")]
    Task<IReadOnlyList<Invitation>> ListAsync();

    /// <summary>The invitation of a key; null when there is none (never made, or revoked).</summary>
    [Alias("find")]
    Task<Invitation?> FindAsync(string key);

    /// <summary>Revokes a key and drops the browsers connected with it; how many were dropped, or -1 when no such key exists.</summary>
    [Alias("revoke")]
    Task<int> RevokeAsync(string key);
}

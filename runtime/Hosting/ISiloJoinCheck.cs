namespace GridActors.Runtime;

/// <summary>A check a silo makes on the membership table before it joins; throwing keeps it out.</summary>
public interface ISiloJoinCheck
{
    /// <summary>Checks the members the silo is about to join.</summary>
    Task CheckAsync(IReadOnlyList<MembershipEntry> members, CancellationToken cancellationToken);
}

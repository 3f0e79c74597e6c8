namespace GridActors.Grid;

/// <summary>What an invitation key lets a browser do.</summary>
[GenerateSerializer, Alias("grid.invitation-kind")]
public enum InvitationKind
{
    /// <summary>Run jobs from the /volunteer page, and nothing else.</summary>
    Volunteer,

    /// <summary>Watch the dashboard, read-only.</summary>
    Dashboard,
}

/// <summary>A key that lets browsers into the grid without the cluster secret.</summary>
/// <param name="Key">The key, as it goes in a link (#k=KEY).</param>
/// <param name="Kind">What it lets a browser do.</param>
/// <param name="Label">Who or what it was made for; may be empty.</param>
/// <param name="Created">When it was made.</param>
[GenerateSerializer, Immutable, Alias("grid.invitation")]
public sealed record Invitation(
    [property: Id(0)] string Key,
    [property: Id(1)] InvitationKind Kind,
    [property: Id(2)] string Label,
    [property: Id(3)] DateTimeOffset Created)
{
    /// <summary>What it lets a browser do, as people read it: "volunteer" or "dashboard".</summary>
    public string KindName => Kind == InvitationKind.Volunteer ? "volunteer" : "dashboard";

    /// <summary>Its link on a silo's HTTP endpoint (http://HOST:PORT): the volunteer page, or the dashboard at /.</summary>
    public string LinkAt(string http) => $"{http}/{(Kind == InvitationKind.Volunteer ? "volunteer" : string.Empty)}#k={Key}";
}

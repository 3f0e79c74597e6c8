namespace GridActors.Grains.Volunteers;

/// <summary>
/// Places a grain on the silo its key names (the key is that silo's Orleans address, or a browser
/// volunteer's key that starts with it), and nowhere else: a volunteer speaks for the runners of one
/// machine, or for a browser tab connected to that silo. When that silo is not a live member of the
/// cluster, placement fails, and so does the call that asked for it: its caller takes that as the
/// volunteer being gone.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("grid.silo-bound-placement")]
public sealed class SiloBoundPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static SiloBoundPlacement Instance { get; } = new();
}

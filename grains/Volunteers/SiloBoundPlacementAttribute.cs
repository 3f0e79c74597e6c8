using Orleans.Placement;

namespace GridActors.Grains.Volunteers;

/// <summary>Marks a grain class whose activations live on the silo their key names (<see cref="SiloBoundPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloBoundPlacementAttribute() : PlacementAttribute(SiloBoundPlacement.Instance);

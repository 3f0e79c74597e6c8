using Orleans.Runtime.Placement;

namespace GridActors.Grains.Volunteers;

/// <summary>Orleans' placement director for <see cref="SiloBoundPlacement"/>.</summary>
internal sealed class SiloBoundPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString()!;
        SiloAddress silo;
        try
        {
            silo = SiloAddress.FromParsableString(Browsers.BrowserSessions.SiloPart(key));
        }
        catch (FormatException exception)
        {
            throw new ArgumentException($"The key '{key}' of grain {target.GrainIdentity} is not a silo address.", exception);
        }

        if (!context.GetCompatibleSilos(target).Contains(silo))
        {
            throw new SiloUnavailableException($"The volunteer of silo {silo} is gone: that silo is not a live member of the grid.");
        }

        return Task.FromResult(silo);
    }
}

using GridActors.Grains.Volunteers;
using GridActors.Grid;

namespace GridActors.Grains.Browsers;

/// <summary>The browser volunteers connected to one silo, for grid volunteers, the dashboard and revocations.</summary>
[SiloBoundPlacement]
internal sealed class BrowsersGrain(BrowserSessions sessions) : Grain, IBrowsersGrain
{
    public async Task<IReadOnlyList<VolunteerStats>> ListAsync()
    {
        var stats = await Task.WhenAll(sessions.All.Select(async s =>
        {
            try
            {
                return await GrainFactory.GetGrain<IVolunteerGrain>(s.Id).GetStatsAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // It left while being asked.
                return null;
            }
        }));
        return [.. stats.OfType<VolunteerStats>().OrderBy(s => s.Volunteer, StringComparer.Ordinal)];
    }

    public Task<int> DropAsync(string invitationKey)
    {
        var dropped = sessions.All.Where(s => string.Equals(s.InvitationKey, invitationKey, StringComparison.Ordinal)).ToList();
        foreach (var session in dropped)
        {
            session.Drop("the invitation key was revoked");
        }

        return Task.FromResult(dropped.Count);
    }
}

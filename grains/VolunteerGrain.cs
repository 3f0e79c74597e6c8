using GridActors.Grid;
using GridActors.Runtime;

namespace GridActors.Grains;

/// <summary>The addressable face of a silo's <see cref="VolunteerService"/>; it lives on the silo whose runners it speaks for.</summary>
internal sealed class VolunteerGrain(VolunteerService volunteer) : Grain, IVolunteerGrain
{
    public Task StartAsync() => volunteer.StartAsync();

    public Task RunAsync(IReadOnlyList<JobTicket> tickets) => volunteer.RunAsync(tickets);

    public Task CancelTaskAsync(string taskId)
    {
        volunteer.CancelTask(taskId);
        return Task.CompletedTask;
    }

    public Task<bool> HoldsAsync(string jobKey, int attempt) => Task.FromResult(volunteer.Holds(jobKey, attempt));

    public Task<VolunteerStats> GetStatsAsync() => Task.FromResult(volunteer.Stats());
}

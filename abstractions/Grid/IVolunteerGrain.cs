namespace GridActors.Grid;

/// <summary>
/// A contributor of CPU: a silo's runner pool. It asks the scheduler for work, runs the jobs it is
/// given in its runners and reports each outcome to its job grain.
/// </summary>
[GrainType("volunteer")]
public interface IVolunteerGrain : IGrainWithStringKey
{
    /// <summary>Starts asking for work. Sent by the silo when it starts.</summary>
    Task StartAsync();

    /// <summary>Jobs placed on this volunteer by the scheduler.</summary>
    [OneWay]
    Task RunAsync(IReadOnlyList<JobTicket> tickets);

    /// <summary>Drops and stops the jobs of a cancelled task.</summary>
    [OneWay]
    Task CancelTaskAsync(string taskId);

    /// <summary>Whether attempt <paramref name="attempt"/> of the job is here: queued, running, or done with its outcome still being handed to the job.</summary>
    Task<bool> HoldsAsync(string jobKey, int attempt);

    /// <summary>The volunteer's statistics.</summary>
    Task<VolunteerStats> GetStatsAsync();
}

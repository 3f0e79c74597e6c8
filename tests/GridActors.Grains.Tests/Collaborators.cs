using GridActors.Grid;
using NSubstitute;

namespace GridActors.Grains.Tests;

/// <summary>
/// NSubstitute mocks standing in for the grains a grain under test calls. Thin grain classes of this
/// assembly forward each call to the mock, passing their key where the mock must know which grain was
/// called; a test cluster swaps them in for the grid's own (<see cref="GridTestCluster"/>).
/// </summary>
public sealed class Collaborators
{
    public ISchedulerGrain Scheduler { get; } = Substitute.For<ISchedulerGrain>();

    public ITasks Tasks { get; } = Substitute.For<ITasks>();

    public IVolunteers Volunteers { get; } = Substitute.For<IVolunteers>();

    public Collaborators()
    {
        // Unless a test says otherwise, the scheduler and the volunteers hold every job they are asked about.
        Scheduler.LostAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<JobAttempt>>()).Returns(Task.FromResult<IReadOnlyList<JobAttempt>>([]));
        Volunteers.LostAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<IReadOnlyList<JobAttempt>>()).Returns(Task.FromResult<IReadOnlyList<JobAttempt>>([]));
        Volunteers.RunAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<JobTicket>>()).Returns(true);
        Scheduler.HeldAsync(Arg.Any<string>()).Returns(Task.FromResult<IReadOnlyList<JobAttempt>>([]));
        Volunteers.HeldAsync(Arg.Any<string>(), Arg.Any<string>()).Returns(Task.FromResult<IReadOnlyList<JobAttempt>>([]));
    }
}

/// <summary>Calls to task grains, by task id.</summary>
public interface ITasks
{
    Task CompleteAsync(string task, IReadOnlyList<JobOutcome> outcomes);

    Task PlacedAsync(string task, string volunteer, SiloAddress silo, IReadOnlyList<JobAttempt> jobs);
}

/// <summary>Calls to volunteer grains, by volunteer key.</summary>
public interface IVolunteers
{
    Task<bool> RunAsync(string volunteer, IReadOnlyList<JobTicket> tickets);

    Task CancelTaskAsync(string volunteer, string taskId);

    Task<IReadOnlyList<JobAttempt>> LostAsync(string volunteer, string taskId, IReadOnlyList<JobAttempt> jobs);

    Task AnnounceAsync(string volunteer);

    Task<IReadOnlyList<JobAttempt>> HeldAsync(string volunteer, string taskId);
}

internal sealed class ForwardingScheduler(Collaborators mocks) : Grain, ISchedulerGrain
{
    public Task EnqueueAsync(IReadOnlyList<JobTicket> tickets) => mocks.Scheduler.EnqueueAsync(tickets);

    public Task RequestWorkAsync(WorkRequest request) => mocks.Scheduler.RequestWorkAsync(request);

    public Task CancelTaskAsync(string taskId) => mocks.Scheduler.CancelTaskAsync(taskId);

    public Task LeaveAsync(string volunteer) => mocks.Scheduler.LeaveAsync(volunteer);

    public Task<IReadOnlyList<JobAttempt>> LostAsync(string taskId, IReadOnlyList<JobAttempt> jobs) => mocks.Scheduler.LostAsync(taskId, jobs);

    public Task<IReadOnlyList<JobAttempt>> HeldAsync(string taskId) => mocks.Scheduler.HeldAsync(taskId);

    public Task<SchedulerStatus> GetStatusAsync() => mocks.Scheduler.GetStatusAsync();
}

internal sealed class ForwardingTask(Collaborators mocks) : Grain, ITaskGrain
{
    private string Id => this.GetPrimaryKeyString();

    public Task CompleteAsync(IReadOnlyList<JobOutcome> outcomes) => mocks.Tasks.CompleteAsync(Id, outcomes);

    public Task PlacedAsync(string volunteer, SiloAddress silo, IReadOnlyList<JobAttempt> jobs, string identity) => mocks.Tasks.PlacedAsync(Id, volunteer, silo, jobs);

    public Task ComparedAsync(IReadOnlyList<string> first, IReadOnlyList<string> second, IReadOnlyList<bool>? agree) => throw new NotSupportedException();

    public Task CreateAsync(TaskSpec spec) => throw new NotSupportedException();

    public Task<AddItemsResult> SubmitAsync(TaskSpec spec, IReadOnlyList<string> items, bool last) => throw new NotSupportedException();

    public Task<AddItemsResult> AddItemsAsync(long firstIndex, IReadOnlyList<string> items, bool last) => throw new NotSupportedException();

    public Task<ResultPage> ReadResultsAsync(long cursor, int max, TimeSpan wait) => throw new NotSupportedException();

    public Task CheckJobsAsync() => Task.CompletedTask;

    public Task<TaskProgress> GetProgressAsync() => throw new NotSupportedException();

    public Task<TaskInfo?> GetInfoAsync() => throw new NotSupportedException();

    public Task<bool> CancelAsync() => throw new NotSupportedException();

    public Task DeleteAsync() => throw new NotSupportedException();
}

[Orleans.Placement.PreferLocalPlacement]
internal sealed class ForwardingVolunteer(Collaborators mocks) : Grain, IVolunteerGrain
{
    private string Id => this.GetPrimaryKeyString();

    public Task StartAsync() => Task.CompletedTask;

    public Task<bool> RunAsync(IReadOnlyList<JobTicket> tickets) => mocks.Volunteers.RunAsync(Id, tickets);

    public Task CancelTaskAsync(string taskId) => mocks.Volunteers.CancelTaskAsync(Id, taskId);

    public Task<IReadOnlyList<JobAttempt>> LostAsync(string taskId, IReadOnlyList<JobAttempt> jobs) => mocks.Volunteers.LostAsync(Id, taskId, jobs);

    public Task AnnounceAsync() => mocks.Volunteers.AnnounceAsync(Id);

    public Task<IReadOnlyList<JobAttempt>> HeldAsync(string taskId) => mocks.Volunteers.HeldAsync(Id, taskId);

    public Task<IReadOnlyList<bool>?> CompareAsync(string taskId, string moduleHash, IReadOnlyList<string> pairs) => throw new NotSupportedException();

    public Task<VolunteerStats> GetStatsAsync() => Task.FromResult(new VolunteerStats(Id, 0, 0, 0, 0, TimeSpan.Zero, new Spread(0, 0, 0, 0), TimeSpan.Zero));
}

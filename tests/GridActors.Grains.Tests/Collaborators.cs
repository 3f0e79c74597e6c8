using GridActors.Grid;
using GridActors.Runtime;
using NSubstitute;

namespace GridActors.Grains.Tests;

/// <summary>
/// NSubstitute mocks standing in for the grains a grain under test calls. Thin grain classes forward
/// each call to the mock, passing their key where the mock must know which grain was called.
/// </summary>
public sealed class Collaborators
{
    public ISchedulerGrain Scheduler { get; } = Substitute.For<ISchedulerGrain>();

    public ITaskGrain Task { get; } = Substitute.For<ITaskGrain>();

    public IVolunteers Volunteers { get; } = Substitute.For<IVolunteers>();

    public IJobs Jobs { get; } = Substitute.For<IJobs>();
}

/// <summary>Calls to volunteer grains, by volunteer key.</summary>
public interface IVolunteers
{
    Task RunAsync(string volunteer, IReadOnlyList<JobTicket> tickets);

    Task<bool> HoldsAsync(string volunteer, string jobKey, int attempt);
}

/// <summary>Calls to job grains, by job key.</summary>
public interface IJobs
{
    Task StartAsync(string jobKey, JobSpec spec);

    Task CompleteAsync(string jobKey, JobOutcome outcome);

    Task CancelAsync(string jobKey);
}

internal sealed class ForwardingScheduler(Collaborators mocks) : Grain, ISchedulerGrain
{
    public Task EnqueueAsync(IReadOnlyList<JobTicket> tickets) => mocks.Scheduler.EnqueueAsync(tickets);

    public Task RequestWorkAsync(WorkRequest request) => mocks.Scheduler.RequestWorkAsync(request);

    public Task ReturnAsync(string volunteer, IReadOnlyList<JobTicket> tickets) => mocks.Scheduler.ReturnAsync(volunteer, tickets);

    public Task<bool> HoldsAsync(string jobKey, int attempt) => mocks.Scheduler.HoldsAsync(jobKey, attempt);

    public Task<string?> SentToAsync(string jobKey, int attempt) => mocks.Scheduler.SentToAsync(jobKey, attempt);

    public Task<SchedulerStatus> GetStatusAsync() => mocks.Scheduler.GetStatusAsync();

    public Task CancelTaskAsync(string taskId) => mocks.Scheduler.CancelTaskAsync(taskId);
}

internal sealed class ForwardingTask(Collaborators mocks) : Grain, ITaskGrain
{
    public Task CreateAsync(TaskSpec spec) => mocks.Task.CreateAsync(spec);

    public Task<AddItemsResult> AddItemsAsync(long firstIndex, IReadOnlyList<string> items, bool last) => mocks.Task.AddItemsAsync(firstIndex, items, last);

    public Task<ResultPage> ReadResultsAsync(long cursor, int max, TimeSpan wait) => mocks.Task.ReadResultsAsync(cursor, max, wait);

    public Task ReportAsync(JobReport report) => mocks.Task.ReportAsync(report);

    public Task<TaskProgress> GetProgressAsync() => mocks.Task.GetProgressAsync();

    public Task<TaskInfo?> GetInfoAsync() => mocks.Task.GetInfoAsync();

    public Task<bool> CancelAsync() => mocks.Task.CancelAsync();

    public Task DeleteAsync() => mocks.Task.DeleteAsync();
}

internal sealed class ForwardingVolunteer(Collaborators mocks) : Grain, IVolunteerGrain
{
    public Task StartAsync() => Task.CompletedTask;

    public Task RunAsync(IReadOnlyList<JobTicket> tickets) => mocks.Volunteers.RunAsync(GrainKey, tickets);

    public Task<bool> HoldsAsync(string jobKey, int attempt) => mocks.Volunteers.HoldsAsync(GrainKey, jobKey, attempt);

    public Task<VolunteerStats> GetStatsAsync() => Task.FromResult(new VolunteerStats(GrainKey, 0, 0, 0, 0, TimeSpan.Zero, new Spread(0, 0, 0, 0), TimeSpan.Zero));

    public Task CancelTaskAsync(string taskId) => Task.CompletedTask;
}

internal sealed class ForwardingJob(Collaborators mocks) : Grain, IJobGrain
{
    public Task StartAsync(JobSpec spec) => mocks.Jobs.StartAsync(GrainKey, spec);

    public Task AssignedAsync(string volunteer, int attempt) => Task.CompletedTask;

    public Task VolunteerLostAsync(string volunteer, int attempt) => Task.CompletedTask;

    public Task CompleteAsync(JobOutcome outcome) => mocks.Jobs.CompleteAsync(GrainKey, outcome);

    public Task<JobStatus> GetStatusAsync() => Task.FromResult(new JobStatus(JobState.None, 0, null, null));

    public Task CancelAsync() => mocks.Jobs.CancelAsync(GrainKey);

    public Task SchedulerMayBeLostAsync(int attempt) => Task.CompletedTask;

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}

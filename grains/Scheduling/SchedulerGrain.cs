using GridActors.Grains.Diagnostics;
using GridActors.Grains.Silos;
using GridActors.Grid;
using Microsoft.Extensions.Logging;

namespace GridActors.Grains.Scheduling;

/// <summary>
/// The queue of pending jobs and the credits (free slots) of the volunteers. Placement goes to the
/// volunteers of the lowest-load silos first, by the load each silo publishes on the
/// <see cref="ISiloLoadBoard"/>; a silo that Orleans' membership does not hold as Active, or whose CPU
/// use by other work is above its threshold, gets nothing until that changes. A batch goes out without
/// holding up the scheduler's turns; once its volunteer has taken it, each task is told where its jobs
/// went, and until then the scheduler still answers for them.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed partial class SchedulerGrain(
    IClusterMembershipService membership,
    ISiloLoadBoard loads,
    ILocalSiloDetails silo,
    GridTelemetry telemetry,
    ILogger<SchedulerGrain> logger) : Grain, ISchedulerGrain
{
    private readonly JobQueue _queue = new();
    private readonly Dictionary<string, VolunteerCredit> _volunteers = new(StringComparer.Ordinal);

    // Attempts on their way to a volunteer, with its silo: from the send until their task has heard
    // where they went. Meanwhile their task finds no holder but the scheduler, which answers for them
    // unless the silo they went to has died.
    private readonly Dictionary<(string TaskId, long Index, int Replica), (int Attempt, SiloAddress Silo)> _sending = [];

    // Items whose replicas are being placed: the volunteers (by identity) their replicas went to, while
    // another replica of the item is still queued here. The task's own tickets name the rest.
    private readonly Dictionary<(string TaskId, long Index), HashSet<string>> _replicasOn = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A new activation (the first, or one after the last one's silo died) knows no volunteer: each
        // live silo's volunteer is asked to announce its free slots now rather than at its next period.
        _ = AskForAnnouncementsAsync();
        return Task.CompletedTask;
    }

    public Task EnqueueAsync(IReadOnlyList<JobTicket> tickets)
    {
        foreach (var ticket in tickets)
        {
            _queue.Add(ticket);
        }

        Place();
        return Task.CompletedTask;
    }

    public Task RequestWorkAsync(WorkRequest request)
    {
        if (!_volunteers.TryGetValue(request.Volunteer, out var volunteer))
        {
            volunteer = new VolunteerCredit(request.Volunteer, request.Silo, request.Identity.Length > 0 ? request.Identity : request.Volunteer);
            _volunteers[request.Volunteer] = volunteer;
        }

        volunteer.Silo = request.Silo;
        volunteer.Credits = request.Absolute ? request.Credits : volunteer.Credits + request.Credits;
        Place();
        return Task.CompletedTask;
    }

    public Task LeaveAsync(string volunteer)
    {
        _volunteers.Remove(volunteer);
        return Task.CompletedTask;
    }

    public Task CancelTaskAsync(string taskId)
    {
        _queue.Drop(taskId);
        foreach (var key in _replicasOn.Keys.Where(k => string.Equals(k.TaskId, taskId, StringComparison.Ordinal)).ToList())
        {
            _replicasOn.Remove(key);
        }

        // The volunteers are told outside this turn: the scheduler never waits on a grain that may be
        // waiting on it.
        foreach (var volunteer in _volunteers.Values)
        {
            _ = StopAsync(volunteer.Id, taskId);
        }

        return Task.CompletedTask;
    }

    private async Task StopAsync(string volunteer, string taskId)
    {
        try
        {
            await GrainFactory.GetGrain<IVolunteerGrain>(volunteer).CancelTaskAsync(taskId);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Its silo is gone, and the task's jobs with it.
            LogSendFailed(logger, volunteer, exception.Message);
        }
    }

    public Task<IReadOnlyList<JobAttempt>> LostAsync(string taskId, IReadOnlyList<JobAttempt> jobs)
    {
        return Task.FromResult<IReadOnlyList<JobAttempt>>([.. jobs.Where(job =>
            !_queue.Holds(taskId, job)
            && !(_sending.TryGetValue((taskId, job.Index, job.Replica), out var sent) && sent.Attempt == job.Attempt && OnItsWay(sent.Silo)))]);
    }

    public Task<IReadOnlyList<JobAttempt>> HeldAsync(string taskId)
    {
        var sending = _sending
            .Where(s => string.Equals(s.Key.TaskId, taskId, StringComparison.Ordinal) && OnItsWay(s.Value.Silo))
            .Select(s => new JobAttempt(s.Key.Index, s.Value.Attempt, s.Key.Replica));
        return Task.FromResult<IReadOnlyList<JobAttempt>>([.. _queue.Of(taskId).Concat(sending)]);
    }

    public Task<SchedulerStatus> GetStatusAsync() =>
        Task.FromResult(new SchedulerStatus(_queue.Count, _volunteers.Values.ToDictionary(v => v.Id, v => v.Credits, StringComparer.Ordinal), silo.SiloAddress));

    private void Place()
    {
        if (_queue.Count == 0)
        {
            return;
        }

        var candidates = PlacementOrder.Rank(_volunteers.Values, v => v.Silo, v => v.Credits, membership.CurrentSnapshot.Members, loads.Current);
        foreach (var volunteer in candidates)
        {
            if (_queue.Count == 0)
            {
                break;
            }

            var batch = _queue.Take(volunteer.Credits, ticket => Fits(ticket, volunteer));
            if (batch.Count == 0)
            {
                continue;
            }

            volunteer.Credits -= batch.Count;
            foreach (var ticket in batch)
            {
                _sending[(ticket.TaskId, ticket.Index, ticket.Replica)] = (ticket.Attempt, volunteer.Silo);
            }

            telemetry.JobsPlaced.Add(batch.Count);
            _ = SendAsync(volunteer, batch);
        }
    }

    /// <summary>
    /// Hands a batch to its volunteer, then tells each task where its jobs went. A batch the volunteer
    /// refuses, or that cannot reach it (its silo is gone), is queued again at once, and the volunteer
    /// gets nothing more until it asks again.
    /// </summary>
    private async Task SendAsync(VolunteerCredit volunteer, List<JobTicket> batch)
    {
        bool taken;
        try
        {
            taken = await GrainFactory.GetGrain<IVolunteerGrain>(volunteer.Id).RunAsync(batch);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogSendFailed(logger, volunteer.Id, exception.Message);
            taken = false;
        }

        if (!taken)
        {
            volunteer.Credits = 0;
            foreach (var ticket in batch.Where(IsSending))
            {
                _sending.Remove((ticket.TaskId, ticket.Index, ticket.Replica));
                if (_replicasOn.TryGetValue((ticket.TaskId, ticket.Index), out var on))
                {
                    on.Remove(volunteer.Identity);
                }

                if (!_queue.Holds(ticket.TaskId, ticket.Job))
                {
                    _queue.Add(ticket);
                }
            }

            Place();
            return;
        }

        await Task.WhenAll(batch.GroupBy(t => t.TaskId, StringComparer.Ordinal).Select(g => TellAsync(g.Key, volunteer, [.. g])));
    }

    private async Task TellAsync(string taskId, VolunteerCredit volunteer, List<JobTicket> tickets)
    {
        try
        {
            await GrainFactory.GetGrain<ITaskGrain>(taskId).PlacedAsync(volunteer.Id, volunteer.Silo, [.. tickets.Select(t => t.Job)], volunteer.Identity);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The task's silo died: its next activation starts the unfinished jobs again anyway.
            LogTellFailed(logger, taskId, exception.Message);
        }
        finally
        {
            foreach (var ticket in tickets.Where(IsSending))
            {
                _sending.Remove((ticket.TaskId, ticket.Index, ticket.Replica));
            }

            // The task knows where these replicas went now; the scheduler remembers only while others of the item wait here.
            foreach (var ticket in tickets.Where(t => t.Replicated && !_queue.HoldsAnyReplica(t.TaskId, t.Index)))
            {
                _replicasOn.Remove((ticket.TaskId, ticket.Index));
            }
        }
    }

    private bool IsSending(JobTicket ticket) =>
        _sending.TryGetValue((ticket.TaskId, ticket.Index, ticket.Replica), out var sent) && sent.Attempt == ticket.Attempt;

    /// <summary>
    /// Whether a ticket may go to this volunteer: any job that is not replicated may; a replica may
    /// unless another replica of its item ran, runs or is going to the same volunteer (by identity),
    /// and then only when no other volunteer on an Active silo is known to take it (a grid of one).
    /// A replica taken here is remembered at once, so the batch being built takes one per item.
    /// </summary>
    private bool Fits(JobTicket ticket, VolunteerCredit volunteer)
    {
        if (!ticket.Replicated)
        {
            return true;
        }

        var key = (ticket.TaskId, ticket.Index);
        _replicasOn.TryGetValue(key, out var on);
        bool Taken(string identity) => on?.Contains(identity) == true || ticket.Avoid?.Contains(identity) == true;
        if (Taken(volunteer.Identity) && _volunteers.Values.Any(v => !Taken(v.Identity) && IsActive(v.Silo)))
        {
            return false;
        }

        if (on is null)
        {
            on = new HashSet<string>(StringComparer.Ordinal);
            _replicasOn[key] = on;
        }

        on.Add(volunteer.Identity);
        return true;
    }

    private bool IsActive(SiloAddress address) =>
        membership.CurrentSnapshot.Members.TryGetValue(address, out var member) && member.Status == SiloStatus.Active;

    /// <summary>A batch on its way to a volunteer is held by the scheduler until its silo is declared Dead.</summary>
    private bool OnItsWay(SiloAddress silo) =>
        !membership.CurrentSnapshot.Members.TryGetValue(silo, out var member) || member.Status != SiloStatus.Dead;

    private async Task AskForAnnouncementsAsync()
    {
        foreach (var member in membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active))
        {
            try
            {
                await GrainFactory.GetGrain<IVolunteerGrain>(member.SiloAddress.ToParsableString()).AnnounceAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // That volunteer announces itself on its own period.
                LogSendFailed(logger, member.SiloAddress.ToParsableString(), exception.Message);
            }
        }
    }

    [LoggerMessage(EventId = 530, Level = LogLevel.Debug, Message = "Sending to volunteer {Volunteer} failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string volunteer, string reason);

    [LoggerMessage(EventId = 531, Level = LogLevel.Debug, Message = "Telling task {Task} where its jobs went failed: {Reason}")]
    private static partial void LogTellFailed(ILogger logger, string task, string reason);

    private sealed class VolunteerCredit(string id, SiloAddress silo, string identity)
    {
        public string Id { get; } = id;

        /// <summary>Who it is to reputation: replicas of one item go to different identities.</summary>
        public string Identity { get; } = identity;

        public SiloAddress Silo { get; set; } = silo;

        public int Credits { get; set; }
    }
}

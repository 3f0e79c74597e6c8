using GridActors.Grid;
using GridActors.Runtime;
using GridActors.Runtime.Diagnostics;

namespace GridActors.Grains;

/// <summary>
/// The queue of pending jobs and the credits of the volunteers. Placement goes to the volunteers of
/// the lowest-load silos first, as the silos publish their load in the membership table; a silo that
/// is not Active, or whose CPU use is above its threshold, gets nothing until that changes. Jobs
/// leave the queue retries first, then in order of their item's index.
/// </summary>
internal sealed class SchedulerGrain(IClusterMembership membership, GridTelemetry telemetry) : Grain, ISchedulerGrain
{
    // Retried jobs first (a task's output waits on them), then by the item's index: each task's jobs go
    // out in input order, so its results stream in order instead of waiting on a job queued last.
    private readonly PriorityQueue<JobTicket, (int Retry, long Index, long Arrival)> _queue = new();
    private long _arrivals;

    /// <summary>A silo silent for longer than this gets no new work, though it is not declared Dead yet.</summary>
    private static readonly TimeSpan SilentLimit = TimeSpan.FromSeconds(2);
    /// <summary>How long the scheduler still answers for a job it sent, until its volunteer has surely told the job.</summary>
    private static readonly TimeSpan SentGrace = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, int> _queuedAttempts = new(StringComparer.Ordinal);

    // Jobs sent to a volunteer lately, by key, with the volunteer's silo, and in the order sent, so old
    // ones can be let go. Between the send and the volunteer's word to the job, the job finds no holder
    // but the scheduler: a lease check in that window must not reissue it, unless the silo it went to
    // has died since (a job whose grain died too comes back knowing nothing else of its holder).
    private readonly Dictionary<string, (int Attempt, string Volunteer, SiloAddress Silo)> _sentAttempts = new(StringComparer.Ordinal);
    private readonly Queue<(DateTimeOffset Sent, string JobKey, int Attempt)> _sentOrder = new();
    private readonly Dictionary<string, VolunteerCredit> _volunteers = new(StringComparer.Ordinal);

    public Task EnqueueAsync(IReadOnlyList<JobTicket> tickets)
    {
        foreach (var ticket in tickets)
        {
            Queue(ticket);
        }

        Place();
        return Task.CompletedTask;
    }

    public Task RequestWorkAsync(WorkRequest request)
    {
        if (!_volunteers.TryGetValue(request.Volunteer, out var volunteer))
        {
            volunteer = new VolunteerCredit(request.Volunteer, request.Silo);
            _volunteers[request.Volunteer] = volunteer;
        }

        volunteer.Silo = request.Silo;
        volunteer.Credits = request.Absolute ? request.Credits : volunteer.Credits + request.Credits;
        Place();
        return Task.CompletedTask;
    }

    public Task ReturnAsync(string volunteer, IReadOnlyList<JobTicket> tickets)
    {
        // The volunteer is unreachable: it gets nothing more until it announces itself again.
        if (_volunteers.TryGetValue(volunteer, out var credit))
        {
            credit.Credits = 0;
        }

        foreach (var ticket in tickets.Where(t => !_queuedAttempts.TryGetValue(t.Spec.JobKey, out var queued) || queued < t.Attempt))
        {
            Queue(ticket);
        }

        Place();
        return Task.CompletedTask;
    }

    public Task CancelTaskAsync(string taskId)
    {
        // Tickets whose attempt is no longer recorded are dropped when they leave the queue.
        var prefix = taskId + "/";
        foreach (var key in _queuedAttempts.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _queuedAttempts.Remove(key);
        }

        foreach (var volunteer in _volunteers.Keys)
        {
            _ = GrainFactory.GetGrain<IVolunteerGrain>(volunteer).CancelTaskAsync(taskId);
        }

        return Task.CompletedTask;
    }

    public Task<bool> HoldsAsync(string jobKey, int attempt)
    {
        ForgetOldSends();
        return Task.FromResult(
            (_queuedAttempts.TryGetValue(jobKey, out var queued) && queued == attempt)
            || (_sentAttempts.TryGetValue(jobKey, out var sent) && sent.Attempt == attempt && IsLive(sent.Silo)));
    }

    public Task<string?> SentToAsync(string jobKey, int attempt)
    {
        ForgetOldSends();
        return Task.FromResult(_sentAttempts.TryGetValue(jobKey, out var sent) && sent.Attempt == attempt ? sent.Volunteer : null);
    }

    private bool IsLive(SiloAddress silo) => membership.Members.Any(m => m.Address == silo && m.Status != SiloStatus.Dead);

    public Task<SchedulerStatus> GetStatusAsync() =>
        Task.FromResult(new SchedulerStatus(_queue.Count, _volunteers.Values.ToDictionary(v => v.Id, v => v.Credits)));

    private void Place()
    {
        ForgetOldSends();
        if (_queue.Count == 0)
        {
            return;
        }

        var loads = membership.Members.ToDictionary(m => m.Address);
        var now = TimeProvider.GetUtcNow();
        var candidates = _volunteers.Values
            .Where(v => v.Credits > 0)
            .Select(v => (Volunteer: v, Member: loads.GetValueOrDefault(v.Silo)))
            .Where(c => c.Member is not null && c.Member.Status == SiloStatus.Active && c.Member.Load.CpuPercent <= c.Member.Load.MaxCpuPercent
                && now - c.Member.IAmAliveTime <= SilentLimit)
            .OrderBy(c => Utilisation(c.Member!.Load))
            .ThenBy(c => c.Member!.Load.CpuPercent)
            .Select(c => c.Volunteer)
            .ToList();

        foreach (var volunteer in candidates)
        {
            if (_queue.Count == 0)
            {
                break;
            }

            var batch = new List<JobTicket>(Math.Min(volunteer.Credits, _queue.Count));
            while (batch.Count < volunteer.Credits && _queue.TryDequeue(out var ticket, out _))
            {
                // A ticket superseded by a newer attempt of its job is dropped.
                if (_queuedAttempts.TryGetValue(ticket.Spec.JobKey, out var attempt) && attempt == ticket.Attempt)
                {
                    _queuedAttempts.Remove(ticket.Spec.JobKey);
                    batch.Add(ticket);
                }
            }

            volunteer.Credits -= batch.Count;
            if (batch.Count > 0)
            {
                foreach (var ticket in batch)
                {
                    _sentAttempts[ticket.Spec.JobKey] = (ticket.Attempt, volunteer.Id, volunteer.Silo);
                    _sentOrder.Enqueue((now, ticket.Spec.JobKey, ticket.Attempt));
                }

                telemetry.JobsPlaced.Add(batch.Count);
                Send(volunteer, batch);
            }
        }
    }

    private void ForgetOldSends()
    {
        var before = TimeProvider.GetUtcNow() - SentGrace;
        while (_sentOrder.TryPeek(out var oldest) && oldest.Sent < before)
        {
            _sentOrder.Dequeue();
            if (_sentAttempts.TryGetValue(oldest.JobKey, out var sent) && sent.Attempt == oldest.Attempt)
            {
                _sentAttempts.Remove(oldest.JobKey);
            }
        }
    }

    private void Queue(JobTicket ticket)
    {
        _queue.Enqueue(ticket, (ticket.Attempt > 1 ? 0 : 1, ticket.Spec.Index, _arrivals++));
        _queuedAttempts[ticket.Spec.JobKey] = ticket.Attempt;
    }

    private void Send(VolunteerCredit volunteer, List<JobTicket> batch)
    {
        var sending = GrainFactory.GetGrain<IVolunteerGrain>(volunteer.Id).RunAsync(batch);
        if (sending.IsCompletedSuccessfully)
        {
            return;
        }

        // A batch that cannot reach its volunteer (its silo is gone) goes back to the queue at once,
        // through a call to this grain, rather than waiting for its jobs' lease checks.
        var self = AsReference<ISchedulerGrain>();
        var id = volunteer.Id;
        _ = sending.ContinueWith(
            t => t.IsFaulted ? self.ReturnAsync(id, batch) : Task.CompletedTask,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }

    private static double Utilisation(SiloLoad load) =>
        load.Capacity <= 0 ? double.MaxValue : (double)(load.RunningJobs + load.QueuedJobs) / load.Capacity;

    private sealed class VolunteerCredit(string id, SiloAddress silo)
    {
        public string Id { get; } = id;

        public SiloAddress Silo { get; set; } = silo;

        public int Credits { get; set; }
    }
}

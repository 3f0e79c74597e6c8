using GridActors.Grid;

namespace GridActors.Grains.Scheduling;

/// <summary>
/// The scheduler's queue of job attempts. Retried attempts leave first (a task's ordered output waits
/// on them), then attempts by their item's index, so each task's jobs go out in input order and its
/// results stream in order instead of waiting on a job queued last. A job has one current attempt
/// here: queuing a newer one supersedes the older, which is dropped when it reaches the front.
/// </summary>
internal sealed class JobQueue
{
    private readonly PriorityQueue<JobTicket, (int Retry, long Index, long Arrival)> _queue = new();
    private readonly Dictionary<(string TaskId, long Index, int Replica), int> _current = [];
    private long _arrivals;

    /// <summary>Jobs queued (each with its current attempt).</summary>
    public int Count => _current.Count;

    /// <summary>Queues an attempt; an attempt of the same job queued before is superseded.</summary>
    public void Add(JobTicket ticket)
    {
        _queue.Enqueue(ticket, (ticket.Attempt > 1 ? 0 : 1, ticket.Index, _arrivals++));
        _current[(ticket.TaskId, ticket.Index, ticket.Replica)] = ticket.Attempt;
    }

    /// <summary>Whether this attempt of the job is queued.</summary>
    public bool Holds(string taskId, JobAttempt job) =>
        _current.TryGetValue((taskId, job.Index, job.Replica), out var attempt) && attempt == job.Attempt;

    /// <summary>Whether any replica of the item is queued.</summary>
    public bool HoldsAnyReplica(string taskId, long index)
    {
        for (var replica = 0; replica < TaskOptions.ReplicaLimit; replica++)
        {
            if (_current.ContainsKey((taskId, index, replica)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The current attempts of a task's queued jobs.</summary>
    public IEnumerable<JobAttempt> Of(string taskId) =>
        _current.Where(c => string.Equals(c.Key.TaskId, taskId, StringComparison.Ordinal)).Select(c => new JobAttempt(c.Key.Index, c.Value, c.Key.Replica));

    /// <summary>
    /// Takes up to <paramref name="count"/> attempts from the front, skipping superseded and dropped
    /// ones, and those <paramref name="accept"/> turns down (a replica that must go to another
    /// volunteer), which keep their place.
    /// </summary>
    public List<JobTicket> Take(int count, Func<JobTicket, bool>? accept = null)
    {
        var batch = new List<JobTicket>(Math.Min(count, _queue.Count));
        List<(JobTicket, (int, long, long))>? declined = null;
        while (batch.Count < count && _queue.TryDequeue(out var ticket, out var priority))
        {
            var key = (ticket.TaskId, ticket.Index, ticket.Replica);
            if (!_current.TryGetValue(key, out var attempt) || attempt != ticket.Attempt)
            {
                continue;
            }

            if (accept is not null && !accept(ticket))
            {
                (declined ??= []).Add((ticket, priority));
                continue;
            }

            _current.Remove(key);
            batch.Add(ticket);
        }

        foreach (var (ticket, priority) in declined ?? [])
        {
            _queue.Enqueue(ticket, priority);
        }

        return batch;
    }

    /// <summary>Drops every queued attempt of a task; they are skipped when they reach the front.</summary>
    public void Drop(string taskId)
    {
        foreach (var key in _current.Keys.Where(k => string.Equals(k.TaskId, taskId, StringComparison.Ordinal)).ToList())
        {
            _current.Remove(key);
        }
    }
}

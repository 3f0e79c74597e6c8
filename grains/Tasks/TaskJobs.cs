using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>
/// The jobs a task has started and not yet finished, as records: each has its item, its attempt, the
/// attempts that failed on their own, and the volunteer it was last sent to. Deciding what an outcome
/// means (a result, a retry, a final failure) and what to reissue lives here; the task grain does the
/// storing and the sending. Not thread-safe: used inside the task's grain turns only.
/// </summary>
internal sealed class TaskJobs(string taskId, TaskSpec spec)
{
    private readonly Dictionary<long, ActiveJob> _active = [];

    /// <summary>Jobs started and not finished.</summary>
    public int Count => _active.Count;

    /// <summary>Whether the job of the item at <paramref name="index"/> is active.</summary>
    public bool Has(long index) => _active.ContainsKey(index);

    /// <summary>The indexes of the active jobs.</summary>
    public IReadOnlyCollection<long> Indexes => _active.Keys;

    /// <summary>Starts the job of an item: its first attempt, not yet with anyone but the scheduler.</summary>
    public JobTicket Start(long index, string item)
    {
        var job = new ActiveJob(item);
        _active[index] = job;
        return Ticket(index, job);
    }

    /// <summary>
    /// Takes back a job that was left with a holder by an activation of the task that is gone: its
    /// record gets that holder's attempt, and the job is not sent out again. <paramref name="volunteer"/>
    /// is null when the holder is the scheduler.
    /// </summary>
    public void Adopt(long index, string item, int attempt, string? volunteer, SiloAddress? silo)
    {
        var job = new ActiveJob(item) { Attempt = attempt, Volunteer = volunteer, Silo = silo };
        _active[index] = job;
    }

    /// <summary>
    /// The scheduler sent these attempts to a volunteer. Attempts that are no longer current (a
    /// retry went out meanwhile, or the job finished first) are ignored.
    /// </summary>
    public void Placed(string volunteer, SiloAddress silo, IEnumerable<JobAttempt> jobs)
    {
        foreach (var (index, attempt) in jobs)
        {
            if (_active.TryGetValue(index, out var job) && job.Attempt == attempt && job.Volunteer is null)
            {
                job.Volunteer = volunteer;
                job.Silo = silo;
            }
        }
    }

    /// <summary>
    /// What outcomes mean: a result ends its job, whichever attempt it came from (the first result
    /// stored wins); a failure of the current attempt is retried while attempts are left and the
    /// error is one another attempt may not meet, and ends the job otherwise. Outcomes of jobs not
    /// active here, and failures of attempts no longer current, are ignored.
    /// </summary>
    public (List<JobReport> Reports, List<JobTicket> Retries) Take(IReadOnlyList<JobOutcome> outcomes)
    {
        List<JobReport> reports = [];
        List<JobTicket> retries = [];
        foreach (var outcome in outcomes)
        {
            if (!_active.TryGetValue(outcome.Index, out var job))
            {
                continue;
            }

            if (outcome.Succeeded)
            {
                reports.Add(new JobReport(outcome.Index, job.Item, outcome.Result, null, JobErrorKind.Script));
                continue;
            }

            if (outcome.Attempt != job.Attempt || job.Ended)
            {
                continue;
            }

            if (outcome.ErrorKind == JobErrorKind.Withdrawn)
            {
                // Its volunteer left (a browser tab closed): the job did nothing wrong.
                retries.Add(Next(outcome.Index, job, outcome.Error!));
                continue;
            }

            job.Failures++;
            if (outcome.Retryable && job.Failures < spec.Options.MaxAttempts)
            {
                retries.Add(Next(outcome.Index, job, outcome.Error!));
                continue;
            }

            // After retries the error says so, so a user can tell a flaky limit from a job that never fits.
            var error = job.Failures > 1 ? $"{outcome.Error} (attempt {job.Failures} of {spec.Options.MaxAttempts})" : outcome.Error;
            job.Ended = true;
            reports.Add(new JobReport(outcome.Index, job.Item, null, error, outcome.ErrorKind));
        }

        return (reports, retries);
    }

    /// <summary>The job's result is stored (or another was first): it is no longer active.</summary>
    public void Finished(long index) => _active.Remove(index);

    /// <summary>
    /// A final failure could not be stored (the store failed, and the volunteer will hand the outcome
    /// over again): the job is open again, as before the outcome came.
    /// </summary>
    public void Reopen(long index)
    {
        if (_active.TryGetValue(index, out var job) && job.Ended)
        {
            job.Ended = false;
            job.Failures--;
        }
    }

    /// <summary>The current attempts of the jobs queued at the scheduler, as far as the task knows.</summary>
    public IReadOnlyList<JobAttempt> Queued() =>
        [.. _active.Where(j => j.Value.Volunteer is null && !j.Value.Ended).Select(j => new JobAttempt(j.Key, j.Value.Attempt))];

    /// <summary>The current attempts of the jobs with volunteers, by volunteer, with its silo.</summary>
    public IReadOnlyList<(string Volunteer, SiloAddress Silo, IReadOnlyList<JobAttempt> Jobs)> WithVolunteers() =>
        [.. _active.Where(j => j.Value.Volunteer is not null && !j.Value.Ended)
            .GroupBy(j => j.Value.Volunteer!, StringComparer.Ordinal)
            .Select(g => (g.Key, g.First().Value.Silo!, (IReadOnlyList<JobAttempt>)[.. g.Select(j => new JobAttempt(j.Key, j.Value.Attempt))]))];

    /// <summary>
    /// Reissues attempts the grid lost (their holder died or forgot them), each as a new attempt that
    /// does not count toward MaxAttempts: the job did nothing wrong. Attempts no longer current are skipped.
    /// </summary>
    public List<JobTicket> Reissue(IEnumerable<JobAttempt> lost, string reason)
    {
        List<JobTicket> tickets = [];
        foreach (var (index, attempt) in lost)
        {
            if (_active.TryGetValue(index, out var job) && job.Attempt == attempt && !job.Ended)
            {
                tickets.Add(Next(index, job, reason));
            }
        }

        return tickets;
    }

    /// <summary>Forgets every job (the task was cancelled, or its module cannot run): their outcomes are ignored from now.</summary>
    public void Clear() => _active.Clear();

    private JobTicket Next(long index, ActiveJob job, string error)
    {
        job.Attempt++;
        job.LastError = error;
        job.Volunteer = null;
        job.Silo = null;
        return Ticket(index, job);
    }

    private JobTicket Ticket(long index, ActiveJob job) =>
        new(taskId, index, job.Attempt, job.Item, spec.ModuleHash, spec.Options.JobTimeout);

    private sealed class ActiveJob(string item)
    {
        public string Item { get; } = item;

        public int Attempt { get; set; } = 1;

        /// <summary>Attempts that failed on their own (a limit, a crash), counted toward MaxAttempts.</summary>
        public int Failures { get; set; }

        public string? LastError { get; set; }

        public string? Volunteer { get; set; }

        public SiloAddress? Silo { get; set; }

        /// <summary>A final failure is being stored: no outcome changes the job any more.</summary>
        public bool Ended { get; set; }
    }
}

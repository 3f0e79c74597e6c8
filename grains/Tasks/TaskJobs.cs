using System.Text;
using GridActors.Grid;

namespace GridActors.Grains.Tasks;

/// <summary>
/// The jobs a task has started and not yet finished, as records. Each job is an item and its replicas:
/// one replica for a task that does not check results, several for one that does (see
/// <see cref="TaskOptions.Replicas"/>). Each replica has its attempt, the attempts that failed on their
/// own, the volunteer it was last sent to, and its answer once it has one. Deciding what an outcome
/// means (an answer, a retry, a final failure), when answers make a quorum, when more replicas must
/// run and what to reissue lives here; the task grain does the storing, the sending, the asking of
/// reputations and the running of a module's compare function. Not thread-safe: used inside the task's
/// grain turns only.
/// </summary>
/// <param name="taskId">The task.</param>
/// <param name="spec">The task's module and options.</param>
/// <param name="trusted">Whether a volunteer (by identity) has earned single jobs; asked under adaptive trust only.</param>
/// <param name="random">A number in [0, 1): whether a trusted volunteer's result is checked all the same.</param>
internal sealed class TaskJobs(string taskId, TaskSpec spec, Func<string, bool>? trusted = null, Func<double>? random = null)
{
    private readonly Dictionary<long, ActiveJob> _active = [];
    private readonly List<(string Identity, bool Agreed)> _verdicts = [];
    private readonly Dictionary<(string, string), bool> _compared = [];
    private readonly HashSet<(string, string)> _toCompare = [];
    private readonly HashSet<long> _waitingOnCompare = [];
    private readonly Func<string, bool> _trusted = trusted ?? (_ => false);
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    private TaskOptions Options => spec.Options;

    /// <summary>Jobs started and not finished.</summary>
    public int Count => _active.Count;

    /// <summary>Whether the job of the item at <paramref name="index"/> is active.</summary>
    public bool Has(long index) => _active.ContainsKey(index);

    /// <summary>The indexes of the active jobs.</summary>
    public IReadOnlyCollection<long> Indexes => _active.Keys;

    /// <summary>
    /// Whether the module's compare function decides agreement. Null until the first comparison is
    /// asked for; false when the module exports none (results then agree when their JSON is equal).
    /// </summary>
    public bool? ModuleCompares { get; private set; }

    /// <summary>Pairs of results (as canonical JSON) the module's compare function must judge before their jobs can be decided.</summary>
    public IReadOnlyCollection<(string A, string B)> ToCompare => _toCompare;

    /// <summary>
    /// Starts the job of an item: its first replicas (all of them, or under adaptive trust one, until
    /// its volunteer turns out not to be trusted), not yet with anyone but the scheduler.
    /// </summary>
    public IReadOnlyList<JobTicket> Start(long index, string item)
    {
        var job = new ActiveJob(item, Options.Checked ? Seed(index) : null)
        {
            Quorum = !Options.Checked || Options.Trust == TrustMode.Adaptive ? 1 : Options.CheckedQuorum,
            Provisional = Options.Trust == TrustMode.Adaptive,
        };
        _active[index] = job;
        var replicas = Options.Checked && Options.Trust != TrustMode.Adaptive ? Options.CheckedReplicas : 1;
        return [.. Enumerable.Range(0, replicas).Select(_ => Ticket(index, job, job.Add()))];
    }

    /// <summary>
    /// Takes back a job that was left with a holder by an activation of the task that is gone: its
    /// record gets that holder's attempt, and the replica is not sent out again. A holder's volunteer
    /// is null when the holder is the scheduler. Replicas nobody held are returned, to start again.
    /// </summary>
    public IReadOnlyList<JobTicket> Adopt(long index, string item, IEnumerable<(JobAttempt Job, string? Volunteer, SiloAddress? Silo)> held)
    {
        var tickets = Start(index, item);
        var job = _active[index];
        List<JobTicket> rest = [];
        var adopted = held.ToDictionary(h => h.Job.Replica);
        foreach (var ticket in tickets)
        {
            if (adopted.Remove(ticket.Replica, out var holder))
            {
                var replica = job.Replicas[ticket.Replica];
                replica.Attempt = holder.Job.Attempt;
                replica.Volunteer = holder.Volunteer;
                replica.Silo = holder.Silo;
            }
            else
            {
                rest.Add(ticket);
            }
        }

        // Replicas beyond the first ones (started when replicas disagreed) are held too: their records come back.
        foreach (var (replicaNumber, holder) in adopted.OrderBy(a => a.Key))
        {
            while (job.Replicas.Count <= replicaNumber)
            {
                job.Add();
            }

            var replica = job.Replicas[replicaNumber];
            replica.Attempt = holder.Job.Attempt;
            replica.Volunteer = holder.Volunteer;
            replica.Silo = holder.Silo;
            job.Provisional = false;
            job.Quorum = Options.CheckedQuorum;
        }

        return rest;
    }

    /// <summary>
    /// The scheduler sent these attempts to a volunteer. Attempts that are no longer current (a
    /// retry went out meanwhile, or the job finished first) are ignored.
    /// </summary>
    public void Placed(string volunteer, SiloAddress silo, string identity, IEnumerable<JobAttempt> jobs)
    {
        foreach (var (index, attempt, replicaNumber) in jobs)
        {
            if (_active.TryGetValue(index, out var job) && replicaNumber < job.Replicas.Count
                && job.Replicas[replicaNumber] is { Volunteer: null } replica && replica.Attempt == attempt)
            {
                replica.Volunteer = volunteer;
                replica.Silo = silo;
                replica.Identity = identity;
            }
        }
    }

    /// <summary>
    /// What outcomes mean: a result is its replica's answer, whichever attempt it came from; a
    /// failure of the current attempt is retried while attempts are left and the error is one another
    /// attempt may not meet, and is the replica's answer otherwise. A job whose answers make a quorum
    /// is reported; one whose answers cannot, gets more replicas up to its cap, then fails naming who
    /// disagreed. Outcomes of jobs not active here, and failures of attempts no longer current, are ignored.
    /// </summary>
    public (List<JobReport> Reports, List<JobTicket> Retries) Take(IReadOnlyList<JobOutcome> outcomes)
    {
        List<JobReport> reports = [];
        List<JobTicket> retries = [];
        foreach (var outcome in outcomes)
        {
            if (!_active.TryGetValue(outcome.Index, out var job) || outcome.Replica >= job.Replicas.Count)
            {
                continue;
            }

            if (job.Decided is not null)
            {
                continue;
            }

            var replica = job.Replicas[outcome.Replica];
            if (replica.Answer is not null)
            {
                continue;
            }

            if (outcome.Succeeded)
            {
                replica.Answer = new Answer(outcome.Identity, outcome.Result, null, JobErrorKind.Script);
            }
            else
            {
                if (outcome.Attempt != replica.Attempt)
                {
                    continue;
                }

                if (outcome.ErrorKind == JobErrorKind.Withdrawn)
                {
                    // Its volunteer left (a browser tab closed): the job did nothing wrong.
                    retries.Add(Next(outcome.Index, job, replica));
                    continue;
                }

                replica.Failures++;
                if (outcome.Retryable && replica.Failures < Options.MaxAttempts)
                {
                    retries.Add(Next(outcome.Index, job, replica));
                    continue;
                }

                // After retries the error says so, so a user can tell a flaky limit from a job that never fits.
                var error = replica.Failures > 1 ? $"{outcome.Error} (attempt {replica.Failures} of {Options.MaxAttempts})" : outcome.Error;
                replica.Answer = new Answer(outcome.Identity, null, error, outcome.ErrorKind);
            }

            replica.Identity = outcome.Identity;
            Decide(outcome.Index, job, reports, retries);
        }

        return (reports, retries);
    }

    /// <summary>The module's compare function judged these pairs (or, with <paramref name="moduleCompares"/> false, the module has none).</summary>
    public (List<JobReport> Reports, List<JobTicket> Retries) Compared(IReadOnlyList<(string A, string B)> pairs, IReadOnlyList<bool> agree, bool moduleCompares)
    {
        ModuleCompares = moduleCompares;
        for (var i = 0; i < pairs.Count; i++)
        {
            _compared[pairs[i]] = moduleCompares && agree[i];
            _toCompare.Remove(pairs[i]);
        }

        List<JobReport> reports = [];
        List<JobTicket> retries = [];
        foreach (var index in _waitingOnCompare.ToList())
        {
            _waitingOnCompare.Remove(index);
            if (_active.TryGetValue(index, out var job) && job.Decided is null)
            {
                Decide(index, job, reports, retries);
            }
        }

        return (reports, retries);
    }

    /// <summary>Verdicts reached since the last call, for the volunteers' reputations: who agreed with a quorum, who did not.</summary>
    public List<(string Identity, bool Agreed)> TakeVerdicts()
    {
        var verdicts = _verdicts.ToList();
        _verdicts.Clear();
        return verdicts;
    }

    /// <summary>The job's result is stored (or another was first): it is no longer active.</summary>
    public void Finished(long index) => _active.Remove(index);

    /// <summary>
    /// A report could not be stored (the store failed): the job is open again, as before its answers
    /// came. The volunteer that handed the last one over hands it over again; replicas whose answers
    /// were taken earlier are no longer held by anyone, and the next lease check reissues them.
    /// </summary>
    public void Reopen(long index)
    {
        if (!_active.TryGetValue(index, out var job))
        {
            return;
        }

        job.Ended = false;
        job.Decided = null;
        foreach (var replica in job.Replicas.Where(r => r.Answer is not null))
        {
            if (replica.Answer!.Error is not null && replica.Failures > 0)
            {
                replica.Failures--;
            }

            replica.Answer = null;
        }
    }

    /// <summary>The current attempts of the jobs queued at the scheduler, as far as the task knows.</summary>
    public IReadOnlyList<JobAttempt> Queued() =>
        [.. Open().Where(r => r.Replica.Volunteer is null).Select(r => new JobAttempt(r.Index, r.Replica.Attempt, r.Replica.Number))];

    /// <summary>The current attempts of the jobs with volunteers, by volunteer, with its silo.</summary>
    public IReadOnlyList<(string Volunteer, SiloAddress Silo, IReadOnlyList<JobAttempt> Jobs)> WithVolunteers() =>
        [.. Open().Where(r => r.Replica.Volunteer is not null)
            .GroupBy(r => r.Replica.Volunteer!, StringComparer.Ordinal)
            .Select(g => (g.Key, g.First().Replica.Silo!, (IReadOnlyList<JobAttempt>)[.. g.Select(r => new JobAttempt(r.Index, r.Replica.Attempt, r.Replica.Number))]))];

    /// <summary>
    /// Reissues attempts the grid lost (their holder died or forgot them), each as a new attempt that
    /// does not count toward MaxAttempts: the job did nothing wrong. Attempts no longer current are skipped.
    /// </summary>
    public List<JobTicket> Reissue(IEnumerable<JobAttempt> lost)
    {
        List<JobTicket> tickets = [];
        foreach (var (index, attempt, replicaNumber) in lost)
        {
            if (_active.TryGetValue(index, out var job) && job.Decided is null && replicaNumber < job.Replicas.Count
                && job.Replicas[replicaNumber] is { Answer: null } replica && replica.Attempt == attempt)
            {
                tickets.Add(Next(index, job, replica));
            }
        }

        return tickets;
    }

    /// <summary>Forgets every job (the task was cancelled, or its module cannot run): their outcomes are ignored from now.</summary>
    public void Clear()
    {
        _active.Clear();
        _waitingOnCompare.Clear();
        _toCompare.Clear();
    }

    /// <summary>JSON text with its objects' keys sorted and no spaces, so results equal in meaning are equal in text.</summary>
    internal static string Canonical(string json)
    {
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(json);
            var text = new StringBuilder();
            Write(node, text);
            return text.ToString();
        }
        catch (System.Text.Json.JsonException)
        {
            return json;
        }

        static void Write(System.Text.Json.Nodes.JsonNode? node, StringBuilder text)
        {
            switch (node)
            {
                case System.Text.Json.Nodes.JsonObject obj:
                    text.Append('{');
                    var first = true;
                    foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        text.Append(first ? string.Empty : ",").Append(System.Text.Json.JsonSerializer.Serialize(key)).Append(':');
                        first = false;
                        Write(value, text);
                    }

                    text.Append('}');
                    break;
                case System.Text.Json.Nodes.JsonArray array:
                    text.Append('[');
                    for (var i = 0; i < array.Count; i++)
                    {
                        text.Append(i == 0 ? string.Empty : ",");
                        Write(array[i], text);
                    }

                    text.Append(']');
                    break;
                case null:
                    text.Append("null");
                    break;
                default:
                    text.Append(node.ToJsonString());
                    break;
            }
        }
    }

    /// <summary>Weighs a job's answers: decides it, waits for replicas still out, starts more, or fails it.</summary>
    private void Decide(long index, ActiveJob job, List<JobReport> reports, List<JobTicket> retries)
    {
        var answered = job.Replicas.Where(r => r.Answer is not null).ToList();
        if (job.Provisional)
        {
            // Adaptive trust: a trusted volunteer's answer stands alone, but for a share checked at random.
            var first = answered[0].Answer!;
            if (first.Identity.Length > 0 && _trusted(first.Identity) && _random() >= Options.CheckShare)
            {
                Settle(index, job, first, verdicts: false);
                reports.Add(job.Decided!);
                return;
            }

            job.Provisional = false;
            job.Quorum = Options.CheckedQuorum;
            while (job.Replicas.Count < Options.CheckedReplicas)
            {
                retries.Add(Ticket(index, job, job.Add()));
            }

            return;
        }

        if (job.Quorum <= 1)
        {
            Settle(index, job, answered[0].Answer!, verdicts: false);
            reports.Add(job.Decided!);
            return;
        }

        var groups = Group(index, answered.Select(r => r.Answer!).ToList());
        if (groups is null)
        {
            return;
        }

        // Agreement counts volunteers, not replicas: one volunteer's answers agree with each other
        // whatever they are. Only when every answer came from one volunteer (a grid of one) do its
        // replicas count one by one.
        var single = answered.Select(r => r.Answer!.Identity).Distinct(StringComparer.Ordinal).Count() == 1;
        int Weight(List<Answer> group) => single ? group.Count : group.Select(a => a.Identity).Distinct(StringComparer.Ordinal).Count();
        var best = groups.OrderByDescending(Weight).First();
        if (Weight(best) >= job.Quorum)
        {
            Settle(index, job, best[0], verdicts: !single, best);
            reports.Add(job.Decided!);
            return;
        }

        var pending = job.Replicas.Count - answered.Count;
        var missing = job.Quorum - Weight(best) - pending;
        if (missing <= 0)
        {
            return;
        }

        var room = Options.ReplicaCap - job.Replicas.Count;
        if (room > 0)
        {
            for (var i = 0; i < Math.Min(missing, room); i++)
            {
                retries.Add(Ticket(index, job, job.Add()));
            }

            return;
        }

        if (pending > 0)
        {
            return;
        }

        var said = string.Join("; ", groups.Select(g => $"{Describe(g[0])} from {string.Join(", ", g.Select(a => a.Identity.Length > 0 ? a.Identity : "an unnamed volunteer").Distinct(StringComparer.Ordinal))}"));
        var failure = new Answer(string.Empty, null, $"replicas disagree: {said} ({job.Replicas.Count} replicas run, {job.Quorum} must agree)", JobErrorKind.Disagreement);
        Settle(index, job, failure, verdicts: false);
        reports.Add(job.Decided!);
    }

    /// <summary>Answers grouped by agreement; null while a pair waits on the module's compare function.</summary>
    private List<List<Answer>>? Group(long index, List<Answer> answers)
    {
        List<List<Answer>> groups = [];
        var waiting = false;
        foreach (var answer in answers)
        {
            List<Answer>? home = null;
            foreach (var group in groups)
            {
                var agreed = Agree(group[0], answer);
                if (agreed is null)
                {
                    waiting = true;
                }
                else if (agreed.Value)
                {
                    home = group;
                    break;
                }
            }

            if (home is null)
            {
                groups.Add([answer]);
            }
            else
            {
                home.Add(answer);
            }
        }

        if (waiting)
        {
            _waitingOnCompare.Add(index);
            return null;
        }

        return groups;
    }

    /// <summary>Whether two answers agree: equal canonical JSON, or the module's compare function says so; null while that is being asked.</summary>
    private bool? Agree(Answer a, Answer b)
    {
        if (a.Key == b.Key)
        {
            return true;
        }

        if (a.Result is null || b.Result is null || ModuleCompares == false)
        {
            return false;
        }

        var pair = string.CompareOrdinal(a.Key, b.Key) < 0 ? (a.Key, b.Key) : (b.Key, a.Key);
        if (_compared.TryGetValue(pair, out var agreed))
        {
            return agreed;
        }

        _toCompare.Add(pair);
        return null;
    }

    private void Settle(long index, ActiveJob job, Answer answer, bool verdicts, List<Answer>? quorum = null)
    {
        job.Ended = true;
        IReadOnlyList<string>? vouched = job.Seed is null ? null
            : [.. (quorum ?? [answer]).Select(a => a.Identity).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal)];
        job.Decided = new JobReport(index, job.Item, answer.Result, answer.Error, answer.Kind, vouched);
        if (!verdicts || quorum is null)
        {
            return;
        }

        var agreed = quorum.Select(a => a.Identity).ToHashSet(StringComparer.Ordinal);
        foreach (var identity in job.Replicas.Where(r => r.Answer is not null).Select(r => r.Answer!.Identity).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal))
        {
            _verdicts.Add((identity, agreed.Contains(identity)));
        }
    }

    private static string Describe(Answer answer)
    {
        var text = answer.Result ?? "error: " + answer.Error;
        return text.Length <= 60 ? text : text[..57] + "...";
    }

    private string Seed(long index) => string.Concat(taskId, "/", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private JobTicket Next(long index, ActiveJob job, Replica replica)
    {
        replica.Attempt++;
        replica.Volunteer = null;
        replica.Silo = null;
        replica.Identity = string.Empty;
        return Ticket(index, job, replica);
    }

    private JobTicket Ticket(long index, ActiveJob job, Replica replica)
    {
        IReadOnlyList<string>? avoid = null;
        if (job.Seed is not null)
        {
            var others = job.Replicas.Where(r => r != replica).Select(r => r.Answer?.Identity is { Length: > 0 } answered ? answered : r.Identity)
                .Where(i => i.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            avoid = others.Count > 0 ? others : null;
        }

        return new(taskId, index, replica.Attempt, job.Item, spec.ModuleHash, Options.JobTimeout, replica.Number, job.Seed, avoid);
    }

    /// <summary>From open jobs, their replicas that are out: not answered, the job not decided.</summary>
    private IEnumerable<(long Index, Replica Replica)> Open() =>
        _active.Where(j => j.Value.Decided is null && !j.Value.Ended)
            .SelectMany(j => j.Value.Replicas.Where(r => r.Answer is null).Select(r => (j.Key, r)));

    private sealed record Answer(string Identity, string? Result, string? Error, JobErrorKind Kind)
    {
        /// <summary>What agreement compares: the canonical result, or the error with its kind.</summary>
        public string Key { get; } = Result is not null ? Canonical(Result) : $"error {Kind}: {Error}";
    }

    private sealed class ActiveJob(string item, string? seed)
    {
        public string Item { get; } = item;

        /// <summary>Seeds the replicas' Math.random; null for a task that does not check results.</summary>
        public string? Seed { get; } = seed;

        public List<Replica> Replicas { get; } = [];

        /// <summary>Agreeing volunteers that settle the job.</summary>
        public int Quorum { get; set; } = 1;

        /// <summary>Adaptive trust, first replica: its volunteer's trust decides whether more run.</summary>
        public bool Provisional { get; set; }

        /// <summary>The job's report once decided; it is stored next.</summary>
        public JobReport? Decided { get; set; }

        /// <summary>The decision is being stored: no outcome changes the job any more.</summary>
        public bool Ended { get; set; }

        public Replica Add()
        {
            var replica = new Replica(Replicas.Count);
            Replicas.Add(replica);
            return replica;
        }
    }

    private sealed class Replica(int number)
    {
        public int Number { get; } = number;

        public int Attempt { get; set; } = 1;

        /// <summary>Attempts that failed on their own (a limit, a crash), counted toward MaxAttempts.</summary>
        public int Failures { get; set; }

        public string? Volunteer { get; set; }

        public SiloAddress? Silo { get; set; }

        /// <summary>Who runs or ran it, once known.</summary>
        public string Identity { get; set; } = string.Empty;

        public Answer? Answer { get; set; }
    }
}

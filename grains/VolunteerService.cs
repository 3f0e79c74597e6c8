using GridActors.Grains.Runners;
using GridActors.Grid;
using GridActors.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Grains;

/// <summary>
/// The silo's contribution of CPU, behind its <see cref="IVolunteerGrain"/>: takes jobs from the
/// scheduler, runs them in the <see cref="RunnerPool"/>, reports each outcome to its job grain, and
/// asks for more work as slots free up. It asks for about <see cref="GridOptions.PrefetchTime"/> of
/// work per runner, judged from the jobs it has run, so trivial jobs stream and long ones spread.
/// Completions arrive on pool threads, so its state is guarded by a lock rather than by grain turns.
/// </summary>
internal sealed partial class VolunteerService(RunnerPool pool, SiloDetails silo, IGrainFactory grains, VolunteerWatch watch, TimeProvider time, IOptions<GridOptions> options, ILogger<VolunteerService> logger) : IDisposable
{
    private const int ReportAttempts = 4;
    private readonly object _lock = new();
    private readonly Dictionary<string, int> _holding = new(StringComparer.Ordinal);
    private readonly GridOptions _options = options.Value;
    private int _outstanding;
    private int _creditsGranted;
    private long _itemsDone;
    private long _busyTicks;
    private readonly long _started = time.GetTimestamp();

    // The time of each job, in milliseconds: count, running mean and sum of squared deviations (Welford), least and most.
    private double _jobMean;
    private double _jobSquares;
    private double _jobMin = double.MaxValue;
    private double _jobMax;
    private double _averageJobTicks;
    private ITimer? _announcements;

    /// <summary>The volunteer's id: the silo's address, unique per silo process.</summary>
    public string Id { get; } = silo.Address.ToString();

    public ISchedulerGrain Scheduler => grains.GetGrain<ISchedulerGrain>(JobGrain.SchedulerKey);

    public Task StartAsync()
    {
        if (_announcements is null)
        {
            // A silo that dies may have held the scheduler: announcing at once lets its next activation
            // know this volunteer, instead of at the next periodic announcement while the runners sit idle.
            watch.SiloDied += () => _ = AnnounceAsync();
            watch.Start();
        }

        _announcements ??= time.CreateTimer(static s => _ = ((VolunteerService)s!).AnnounceAsync(), this, _options.VolunteerAnnouncePeriod, _options.VolunteerAnnouncePeriod);
        return AnnounceAsync();
    }

    public void Dispose() => _announcements?.Dispose();

    /// <summary>Tells the scheduler every slot free now, replacing what it held: a new scheduler activation learns this volunteer, and drift in the credits is mended.</summary>
    private async Task AnnounceAsync()
    {
        int free;
        lock (_lock)
        {
            free = Math.Max(0, Target() - _outstanding);
            _creditsGranted = free;
        }

        try
        {
            await Scheduler.RequestWorkAsync(new WorkRequest(Id, silo.Address, free, Absolute: true));
        }
        catch (GrainCallException)
        {
            // The scheduler's silo is unreachable; the next announcement finds its new activation.
        }
    }

    public async Task RunAsync(IReadOnlyList<JobTicket> tickets)
    {
        bool busy;
        lock (_lock)
        {
            _creditsGranted -= tickets.Count;
            busy = pool.AllBusyFor(_options.PrefetchTime);
            if (busy)
            {
                // Every runner is held by a job that is taking its time: these would wait behind it while
                // another silo may have a runner free. They go back to the scheduler, which takes this
                // volunteer's credits with them; it asks again when a runner frees.
                _creditsGranted = 0;
            }
            else
            {
                _outstanding += tickets.Count;
                foreach (var ticket in tickets)
                {
                    _holding[ticket.Spec.JobKey] = ticket.Attempt;
                }
            }
        }

        if (busy)
        {
            await Scheduler.ReturnAsync(Id, tickets);
            return;
        }

        foreach (var ticket in tickets)
        {
            var spec = ticket.Spec;
            if (!pool.HasModule(spec.ModuleHash))
            {
                var module = await grains.GetGrain<IModuleGrain>(spec.ModuleHash).GetAsync();
                if (module is null)
                {
                    Finish(ticket, new RunnerResult(null, $"module {spec.ModuleHash} is not stored in the grid", JobErrorKind.Module, TimeSpan.Zero));
                    continue;
                }

                pool.AddModule(spec.ModuleHash, module.Name, module.Source);
            }

            _ = grains.GetGrain<IJobGrain>(spec.JobKey).AssignedAsync(Id, ticket.Attempt);
            pool.Submit(new RunnerJob(spec.ModuleHash, spec.Item, spec.Timeout, (_, result) => Finish(ticket, result)) { Key = spec.JobKey });
        }
    }

    /// <summary>Drops and stops this volunteer's jobs of a cancelled task.</summary>
    public void CancelTask(string taskId)
    {
        var prefix = taskId + "/";
        pool.Cancel(job => job.Key?.StartsWith(prefix, StringComparison.Ordinal) == true);
    }

    /// <summary>Whether the attempt is here: queued, running, or done with its outcome not yet handed to the job.</summary>
    public bool Holds(string jobKey, int attempt)
    {
        lock (_lock)
        {
            return _holding.TryGetValue(jobKey, out var held) && held == attempt;
        }
    }

    public VolunteerStats Stats()
    {
        var (running, queued, _) = pool.GetWorkload();
        lock (_lock)
        {
            var spread = _itemsDone == 0
                ? new Spread(0, 0, 0, 0)
                : new Spread(_jobMean, _itemsDone > 1 ? Math.Sqrt(_jobSquares / (_itemsDone - 1)) : 0, _jobMin, _jobMax);
            return new VolunteerStats(Id, pool.Size, running, queued, _itemsDone, TimeSpan.FromTicks(_busyTicks), spread, time.GetElapsedTime(_started));
        }
    }

    private void Finish(JobTicket ticket, RunnerResult result)
    {
        int credits;
        lock (_lock)
        {
            _outstanding--;
            _itemsDone++;
            _busyTicks += result.Elapsed.Ticks;
            var ms = result.Elapsed.TotalMilliseconds;
            var delta = ms - _jobMean;
            _jobMean += delta / _itemsDone;
            _jobSquares += delta * (ms - _jobMean);
            _jobMin = Math.Min(_jobMin, ms);
            _jobMax = Math.Max(_jobMax, ms);
            var ticks = Math.Max(result.Elapsed.Ticks, 1);
            _averageJobTicks = _averageJobTicks <= 0 ? ticks : (0.9 * _averageJobTicks) + (0.1 * ticks);
            credits = RequestCredits(force: false);
        }

        var outcome = new JobOutcome(ticket.Spec.JobKey, ticket.Attempt, Id, result.Value, result.Error, result.ErrorKind);
        _ = ReportAsync(outcome);
        if (credits > 0)
        {
            _ = Scheduler.RequestWorkAsync(new WorkRequest(Id, silo.Address, credits));
        }
    }

    /// <summary>
    /// Hands an outcome to its job, trying a few times over a few seconds when the job's silo does not
    /// answer or the job could not take it (the grid's storage away, say): running the job again would
    /// cost more. The call returns once the job has taken the outcome, and the job counts as held here
    /// until then. An outcome that cannot be handed over is not lost work for good: once it is given
    /// up on, the job's lease check finds the attempt gone and reissues it.
    /// </summary>
    private async Task ReportAsync(JobOutcome outcome)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<IJobGrain>(outcome.JobKey).CompleteAsync(outcome);
                Release(outcome);
                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogReportFailed(logger, outcome.JobKey, attempt, ReportAttempts, exception.Message);
                if (attempt == ReportAttempts)
                {
                    Release(outcome);
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(attempt), time);
            }
        }
    }

    /// <summary>The outcome is handed over, or given up on: the job no longer counts as held here.</summary>
    private void Release(JobOutcome outcome)
    {
        lock (_lock)
        {
            if (_holding.TryGetValue(outcome.JobKey, out var held) && held == outcome.Attempt)
            {
                _holding.Remove(outcome.JobKey);
            }
        }
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Debug, Message = "Outcome of job {Job} not handed over (try {Try} of {Tries}): {Reason}")]
    private static partial void LogReportFailed(ILogger logger, string job, int @try, int tries, string reason);

    /// <summary>Credits to ask for now; called under the lock. Small top-ups wait until a quarter of the target is free.</summary>
    private int RequestCredits(bool force)
    {
        var target = Target();
        var wanted = target - _outstanding - _creditsGranted;
        if (wanted <= 0 || (!force && wanted < Math.Max(1, target / 4)))
        {
            return 0;
        }

        _creditsGranted += wanted;
        return wanted;
    }

    /// <summary>How many jobs to hold: about <see cref="GridOptions.PrefetchTime"/> of work per runner. Called under the lock.</summary>
    private int Target()
    {
        // Jobs held behind long-running ones would only wait there. (With fewer jobs out than runners,
        // some runner is free: the pool need not be asked, on this path that every finished job takes.)
        if (_outstanding >= pool.Size && pool.AllBusyFor(_options.PrefetchTime))
        {
            return pool.Size;
        }

        var perRunner = _averageJobTicks <= 0
            ? 2
            : (int)Math.Clamp(_options.PrefetchTime.Ticks / _averageJobTicks, 1, _options.MaxPrefetchPerRunner);
        return pool.Size * Math.Max(perRunner, 1);
    }
}

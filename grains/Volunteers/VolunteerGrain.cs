using System.Threading.Channels;
using GridActors.Grains.Browsers;
using GridActors.Grains.Runners;
using GridActors.Grid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Grains.Volunteers;

/// <summary>
/// A contribution of CPU: takes jobs from the scheduler, runs them in the silo's <see cref="RunnerPool"/>
/// (keyed by the silo's address) or in a browser tab connected to the silo (keyed by the silo's
/// address, "/browser/" and the tab's id), hands each outcome to its task, and asks for more work as
/// slots free up. A tab that leaves ends its jobs as withdrawn, which their tasks reissue at once; its
/// volunteer then leaves the scheduler and deactivates.
/// It asks for about <see cref="GridOptions.PrefetchTime"/> of work per runner, judged from the jobs it
/// has run, so trivial jobs stream and long ones spread. Runners finish jobs on their own threads; the
/// outcomes reach the grain through a channel it reads in its own context, so every piece of its state
/// changes inside the grain. It calls the scheduler and the tasks outside its turns, and so never waits
/// on a grain that may be waiting on it.
/// </summary>
[SiloBoundPlacement]
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed partial class VolunteerGrain(
    RunnerPool runnerPool,
    BrowserSessions browsers,
    ILocalSiloDetails silo,
    TimeProvider time,
    IOptions<GridOptions> options,
    ILogger<VolunteerGrain> logger) : Grain, IVolunteerGrain
{
    private readonly Channel<(JobTicket Ticket, RunnerResult Result)> _finished = Channel.CreateUnbounded<(JobTicket, RunnerResult)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(string TaskId, long Index, int Replica), int> _holding = [];
    private readonly Dictionary<string, List<JobOutcome>> _toHandOver = new(StringComparer.Ordinal);
    private readonly JobTimes _times = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _started = time.GetTimestamp();
    private IGrainTimer? _announcements;
    private Task _reading = Task.CompletedTask;
    private readonly Dictionary<string, Task> _handOvers = new(StringComparer.Ordinal);
    private IJobRunners pool = GoneRunners.Instance;
    private IBrowserVolunteer? _browser;
    private TaskCompletionSource? _drained;
    private int _outstanding;
    private int _creditsGranted;

    private string Id => this.GetPrimaryKeyString();

    private GridOptions Options => options.Value;

    /// <summary>Who this volunteer is to reputation: the silo's name, or the browser's identity.</summary>
    private string Identity => _browser?.Identity ?? silo.Name;

    private ISchedulerGrain Scheduler => GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!BrowserSessions.IsBrowser(Id))
        {
            pool = runnerPool;
        }
        else if (browsers.Find(Id) is { } browser)
        {
            // A tab connected to this silo. An activation that finds none (the tab left, and a late
            // call woke the grain again) holds nothing and takes nothing.
            _browser = browser;
            pool = browser;
            _ = LeaveWhenClosedAsync(browser);
        }

        _reading = ReadFinishedAsync();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _announcements?.Dispose();
        await _stopping.CancelAsync();
        await _reading;
    }

    public Task StartAsync()
    {
        if (pool == GoneRunners.Instance)
        {
            return Task.CompletedTask;
        }

        var period = Options.VolunteerAnnouncePeriod;
        _announcements ??= this.RegisterGrainTimer(AnnounceAsync, new GrainTimerCreationOptions(period, period) { KeepAlive = true });
        return AnnounceAsync();
    }

    /// <summary>Tells the scheduler every slot free now, replacing what it held: a new scheduler activation learns this volunteer, and drift in the credits is mended.</summary>
    public Task AnnounceAsync()
    {
        var free = Math.Max(0, Target() - _outstanding);
        _creditsGranted = free;
        Ask(new WorkRequest(Id, silo.SiloAddress, free, Absolute: true, Identity));
        return Task.CompletedTask;
    }

    public async Task<bool> RunAsync(IReadOnlyList<JobTicket> tickets)
    {
        _creditsGranted = Math.Max(0, _creditsGranted - tickets.Count);
        if (_outstanding >= pool.Size && pool.AllBusyFor(Options.PrefetchTime))
        {
            // Every runner is held by a job that is taking its time: these would wait behind it while
            // another silo may have a runner free. The scheduler takes them back, with this volunteer's
            // credits; it asks again when a runner frees.
            _creditsGranted = 0;
            return false;
        }

        foreach (var ticket in tickets)
        {
            _holding[(ticket.TaskId, ticket.Index, ticket.Replica)] = ticket.Attempt;
            _outstanding++;
            if (!pool.HasModule(ticket.ModuleHash))
            {
                var module = await GrainFactory.GetGrain<IModuleGrain>(ticket.ModuleHash).GetAsync();
                if (module is null)
                {
                    _finished.Writer.TryWrite((ticket, new RunnerResult(null, $"module {ticket.ModuleHash} is not stored in the grid", JobErrorKind.Module, TimeSpan.Zero)));
                    continue;
                }

                pool.AddModule(ticket.ModuleHash, module.Name, module.Source);
            }

            pool.Submit(new RunnerJob(ticket.ModuleHash, ticket.Item, ticket.Timeout, (_, result) => _finished.Writer.TryWrite((ticket, result)))
            {
                Key = JobKeys.Of(ticket.TaskId, ticket.Index),
                Task = ticket.TaskId,
                Seed = ticket.Seed,
            });
        }

        return true;
    }

    public Task CancelTaskAsync(string taskId)
    {
        var prefix = taskId + "/";
        pool.Cancel(job => job.Key?.StartsWith(prefix, StringComparison.Ordinal) == true);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<bool>?> CompareAsync(string taskId, string moduleHash, IReadOnlyList<string> pairs)
    {
        if (_browser is not null || pool.Size == 0)
        {
            throw new InvalidOperationException($"Volunteer {Id} has no runners to run a compare function in.");
        }

        if (!pool.HasModule(moduleHash))
        {
            var module = await GrainFactory.GetGrain<IModuleGrain>(moduleHash).GetAsync() ?? throw new InvalidOperationException($"Module {moduleHash} is not stored in the grid.");
            pool.AddModule(moduleHash, module.Name, module.Source);
        }

        // One request judges every pair. A compare function is quick: 30 s is ample, and a runner that
        // holds it longer is stopped like a job past its limit.
        var done = new TaskCompletionSource<RunnerResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        pool.Submit(new RunnerJob(moduleHash, "[" + string.Join(',', pairs) + "]", TimeSpan.FromSeconds(30), (_, result) => done.TrySetResult(result)) { Task = taskId, Compare = true });
        var judged = await done.Task;
        if (judged.Error is not null)
        {
            throw new InvalidOperationException($"The module's compare function failed: {judged.Error}");
        }

        return System.Text.Json.JsonSerializer.Deserialize<bool[]?>(judged.Value ?? "null");
    }

    public Task<IReadOnlyList<JobAttempt>> LostAsync(string taskId, IReadOnlyList<JobAttempt> jobs) =>
        Task.FromResult<IReadOnlyList<JobAttempt>>([.. jobs.Where(j => !_holding.TryGetValue((taskId, j.Index, j.Replica), out var held) || held != j.Attempt)]);

    public Task<IReadOnlyList<JobAttempt>> HeldAsync(string taskId) =>
        Task.FromResult<IReadOnlyList<JobAttempt>>([.. _holding.Where(h => string.Equals(h.Key.TaskId, taskId, StringComparison.Ordinal)).Select(h => new JobAttempt(h.Key.Index, h.Value, h.Key.Replica))]);

    public Task<VolunteerStats> GetStatsAsync()
    {
        var (running, queued, _) = pool.GetWorkload();
        return Task.FromResult(new VolunteerStats(Id, pool.Size, running, queued, _times.Count, _times.Busy, _times.Spread(), time.GetElapsedTime(_started), pool.Engine)
        {
            Kind = _browser is null ? VolunteerStats.SiloKind : VolunteerStats.BrowserKind,
            Agent = _browser?.Agent ?? string.Empty,
            Invitation = _browser?.InvitationKey ?? string.Empty,
            Identity = Identity,
        });
    }

    /// <summary>Takes finished jobs from the runners, in the grain's own context, and queues their outcomes for their tasks.</summary>
    private async Task ReadFinishedAsync()
    {
        var reader = _finished.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                while (reader.TryRead(out var done))
                {
                    if (--_outstanding == 0)
                    {
                        _drained?.TrySetResult();
                    }

                    _times.Add(done.Result.Elapsed);
                    var (ticket, result) = done;
                    Queue(ticket.TaskId, new JobOutcome(ticket.Index, ticket.Attempt, Id, result.Value, result.Error, result.ErrorKind, ticket.Replica, Identity));
                }

                var credits = RequestCredits();
                if (credits > 0 && _browser?.Closed.IsCompleted != true)
                {
                    Ask(new WorkRequest(Id, silo.SiloAddress, credits, Identity: Identity));
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The silo stops.
        }
    }

    /// <summary>Queues an outcome for its task; one hand-over per task is under way at a time, and outcomes that come meanwhile go in the next.</summary>
    private void Queue(string taskId, JobOutcome outcome)
    {
        if (!_toHandOver.TryGetValue(taskId, out var outcomes))
        {
            outcomes = [];
            _toHandOver[taskId] = outcomes;
        }

        outcomes.Add(outcome);
        if (_handOvers.TryAdd(taskId, Task.CompletedTask))
        {
            // The entry is made before the hand-over starts, so outcomes that come meanwhile join it.
            var handingOver = HandOverAsync(taskId);
            if (!handingOver.IsCompleted)
            {
                _handOvers[taskId] = handingOver;
            }
        }
    }

    /// <summary>
    /// Once its tab has gone, and the tab's jobs ended as withdrawn have reached their tasks, the
    /// browser's volunteer leaves the scheduler and deactivates.
    /// </summary>
    private async Task LeaveWhenClosedAsync(IBrowserVolunteer browser)
    {
        await browser.Closed;
        _announcements?.Dispose();
        if (_outstanding > 0)
        {
            // The withdrawn outcomes are still in the channel: the reader takes them in its next turn.
            _drained = new TaskCompletionSource();
            await _drained.Task;
        }

        while (_handOvers.Count > 0)
        {
            await Task.WhenAll(_handOvers.Values.ToList());
        }

        try
        {
            await Scheduler.LeaveAsync(Id);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The scheduler's silo is dying; its next activation never hears of this volunteer.
            LogAskFailed(logger, exception.Message);
        }

        DeactivateOnIdle();
    }

    private async Task HandOverAsync(string taskId)
    {
        while (_toHandOver.Remove(taskId, out var outcomes))
        {
            await HandOverAsync(taskId, outcomes);
        }

        _handOvers.Remove(taskId);
    }

    /// <summary>
    /// Hands outcomes to their task, trying a few times over a few seconds when the task's silo does not
    /// answer or the task could not take them (the grid's storage away, say): running the jobs again
    /// would cost more. The call returns once the task has taken the outcomes, and the jobs count as
    /// held here until then. Outcomes that cannot be handed over are not lost work for good: once they
    /// are given up on, the task's lease check finds the attempts gone and reissues them.
    /// </summary>
    private async Task HandOverAsync(string taskId, List<JobOutcome> outcomes)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await GrainFactory.GetGrain<ITaskGrain>(taskId).CompleteAsync(outcomes);
                break;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogHandOverFailed(logger, taskId, outcomes.Count, attempt, Options.HandOverAttempts, exception.Message);
                if (attempt >= Options.HandOverAttempts || _stopping.IsCancellationRequested)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(attempt), time);
            }
        }

        foreach (var outcome in outcomes)
        {
            if (_holding.TryGetValue((taskId, outcome.Index, outcome.Replica), out var held) && held == outcome.Attempt)
            {
                _holding.Remove((taskId, outcome.Index, outcome.Replica));
            }
        }
    }

    /// <summary>Asks the scheduler for work outside this turn; a request that is lost is mended by the next announcement.</summary>
    private void Ask(WorkRequest request) => _ = AskAsync(request);

    private async Task AskAsync(WorkRequest request)
    {
        try
        {
            await Scheduler.RequestWorkAsync(request);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The scheduler's silo is unreachable; the next announcement finds its new activation.
            LogAskFailed(logger, exception.Message);
        }
    }

    /// <summary>Credits to ask for now. Small top-ups wait until a quarter of the target is free.</summary>
    private int RequestCredits()
    {
        var target = Target();
        var wanted = target - _outstanding - _creditsGranted;
        if (wanted <= 0 || wanted < Math.Max(1, target / 4))
        {
            return 0;
        }

        _creditsGranted += wanted;
        return wanted;
    }

    /// <summary>How many jobs to hold: about <see cref="GridOptions.PrefetchTime"/> of work per runner.</summary>
    private int Target()
    {
        // Jobs held behind long-running ones would only wait there. (With fewer jobs out than runners,
        // some runner is free: the pool need not be asked, on this path that every finished job takes.)
        if (_outstanding >= pool.Size && pool.AllBusyFor(Options.PrefetchTime))
        {
            return pool.Size;
        }

        var perRunner = _times.AverageTicks <= 0
            ? 2
            : (int)Math.Clamp(Options.PrefetchTime.Ticks / _times.AverageTicks, 1, Options.MaxPrefetchPerRunner);
        return pool.Size * Math.Max(perRunner, 1);
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Debug, Message = "Outcomes of {Count} jobs of task {Task} not handed over (try {Try} of {Tries}): {Reason}")]
    private static partial void LogHandOverFailed(ILogger logger, string task, int count, int @try, int tries, string reason);

    [LoggerMessage(EventId = 521, Level = LogLevel.Debug, Message = "Asking the scheduler for work failed: {Reason}")]
    private static partial void LogAskFailed(ILogger logger, string reason);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GridActors.Grains.Runners;

/// <summary>
/// The silo's runner processes, one per donated CPU. Jobs wait in one queue; each runner is kept
/// supplied with up to <see cref="RunnerOptions.PipelineDepth"/> jobs. A runner that breaks a limit is
/// killed and replaced; the job it was running fails with the reason, the jobs queued behind it run
/// on another runner.
/// </summary>
public sealed partial class RunnerPool : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly LinkedList<RunnerJob> _queue = new();
    private readonly ConcurrentDictionary<string, (string Name, string Source)> _modules = new(StringComparer.Ordinal);
    private readonly RunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RunnerPool> _logger;
    private readonly Slot[] _slots;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _watchdog;
    private Task? _starting;
    private long _nextJobId;
    private long _jobsRun;
    private double _averageJobTicks;

    public RunnerPool(IOptions<RunnerOptions> options, TimeProvider time, ILogger<RunnerPool> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _slots = [.. Enumerable.Range(0, _options.Runners).Select(i => new Slot(i))];
    }

    /// <summary>The number of runners.</summary>
    public int Size => _slots.Length;

    /// <summary>Process ids of the live runners, for diagnostics and tests.</summary>
    public IReadOnlyList<int> RunnerPids
    {
        get
        {
            lock (_lock)
            {
                return [.. _slots.Where(s => s.Runner is not null).Select(s => s.Runner!.Pid)];
            }
        }
    }

    /// <summary>
    /// Starts every runner and waits until each is ready. Calling it again waits for the same start:
    /// a host may start its runners early, beside its own start, and the silo's start awaits them.
    /// </summary>
    public Task StartAsync()
    {
        lock (_lock)
        {
            return _starting ??= Task.Run(StartRunnersAsync);
        }
    }

    private async Task StartRunnersAsync()
    {
        await Task.WhenAll(_slots.Select(StartRunnerAsync));
        _watchdog = _time.CreateTimer(static s => ((RunnerPool)s!).Watch(), this, _options.WatchdogPeriod, _options.WatchdogPeriod);
    }

    /// <summary>Makes a module known to the pool; runners load it when they first get one of its jobs.</summary>
    public void AddModule(string hash, string name, string source) => _modules.TryAdd(hash, (name, source));

    /// <summary>Whether the pool knows a module.</summary>
    public bool HasModule(string hash) => _modules.ContainsKey(hash);

    /// <summary>Queues a job.</summary>
    public void Submit(RunnerJob job)
    {
        if (!_modules.ContainsKey(job.ModuleHash))
        {
            throw new InvalidOperationException($"Module {job.ModuleHash} was not added to the runner pool.");
        }

        job.Id = Interlocked.Increment(ref _nextJobId);
        lock (_lock)
        {
            _queue.AddLast(job);
        }

        Pump();
    }

    /// <summary>Jobs running, jobs queued, and how many jobs the pool runs at once.</summary>
    public (int Running, int Queued, int Capacity) GetWorkload()
    {
        lock (_lock)
        {
            var inFlight = _slots.Sum(s => s.Assigned);
            var running = _slots.Count(s => s.Assigned > 0);
            return (running, _queue.Count + inFlight - running, _slots.Length);
        }
    }

    /// <summary>The runner processes: their CPU counts as the silo's own, not as other work.</summary>
    public IReadOnlyList<int> ProcessIds
    {
        get
        {
            lock (_lock)
            {
                return [.. _slots.Select(s => s.Runner).OfType<RunnerProcess>().Select(r => r.Pid)];
            }
        }
    }

    /// <summary>Jobs finished since the pool started, with a result or an error.</summary>
    public long JobsRun => Interlocked.Read(ref _jobsRun);

    /// <summary>
    /// Whether every runner is running a job that started more than <paramref name="duration"/> ago:
    /// a job given to the pool now would wait behind one of them for an unknown time.
    /// </summary>
    public bool AllBusyFor(TimeSpan duration)
    {
        lock (_lock)
        {
            return _slots.All(s => s.Runner is { } runner && runner.HeadRunningFor > duration);
        }
    }

    /// <summary>
    /// Drops the queued jobs that match and stops the running ones (their runners are replaced); each
    /// ends as cancelled. Matching jobs already written ahead to a runner run, and are ignored upstream.
    /// </summary>
    public void Cancel(Func<RunnerJob, bool> match)
    {
        List<RunnerJob> dropped = [];
        RunnerProcess?[] runners;
        lock (_lock)
        {
            for (var node = _queue.First; node is not null;)
            {
                var next = node.Next;
                if (match(node.Value))
                {
                    dropped.Add(node.Value);
                    _queue.Remove(node);
                }

                node = next;
            }

            runners = [.. _slots.Select(s => s.Runner)];
        }

        foreach (var runner in runners)
        {
            runner?.CancelRunning(match);
        }

        foreach (var job in dropped)
        {
            Complete(job, new RunnerResult(null, "cancelled with its task", Grid.JobErrorKind.Cancelled, TimeSpan.Zero));
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _watchdog?.Dispose();
        Task[] readers;
        lock (_lock)
        {
            foreach (var slot in _slots)
            {
                slot.Runner?.Kill();
            }

            readers = [.. _slots.Select(s => s.Reader)];
        }

        await Task.WhenAll(readers);
    }

    private async Task StartRunnerAsync(Slot slot)
    {
        var runner = await RunnerProcess.StartAsync(_options, _time, _options.ConsoleOutput ?? (line => LogConsole(_logger, line)));
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested)
            {
                runner.Kill();
            }

            slot.Runner = runner;
            slot.Assigned = 0;
            slot.Reader = Task.Run(() => runner.ReadRepliesAsync((job, result) => OnDone(slot, job, result), (head, result, rest) => OnExit(slot, head, result, rest)));
        }

        LogRunnerStarted(_logger, slot.Index, runner.Pid);
        Pump();
    }

    private void Pump()
    {
        List<(RunnerProcess Runner, List<RunnerJob> Jobs)>? sends = null;
        lock (_lock)
        {
            // A runner is topped up once it is down to half its depth, not after every reply: jobs then
            // go to it in batches, one write each, which it answers with one write, where topping up
            // at once sent trivial jobs one at a time and had each answered alone (a write and a read
            // on each side a job).
            var depth = PipelineDepth();
            var open = _slots.Count(s => s.Runner is not null && s.Assigned <= depth / 2);
            foreach (var slot in _slots)
            {
                if (slot.Runner is null || _queue.Count == 0 || slot.Assigned > depth / 2)
                {
                    continue;
                }

                // Share the queue among the runners with room, so one runner never hoards the jobs.
                var room = Math.Min(depth - slot.Assigned, (_queue.Count + open - 1) / Math.Max(open, 1));
                if (room <= 0)
                {
                    continue;
                }

                open--;
                var batch = new List<RunnerJob>(Math.Min(room, _queue.Count));
                while (batch.Count < room && _queue.First is { } first)
                {
                    batch.Add(first.Value);
                    _queue.RemoveFirst();
                }

                slot.Assigned += batch.Count;
                (sends ??= []).Add((slot.Runner, batch));
            }
        }

        if (sends is null)
        {
            return;
        }

        foreach (var (runner, jobs) in sends)
        {
            Send(runner, jobs);
        }
    }

    /// <summary>
    /// How many jobs to write ahead to a runner: enough for about 20 ms of work, so trivial jobs never
    /// wait for a round trip, while long jobs are not stuck behind each other in one runner.
    /// </summary>
    private int PipelineDepth()
    {
        if (_averageJobTicks <= 0)
        {
            return 1;
        }

        var target = TimeSpan.FromMilliseconds(20).Ticks;
        return (int)Math.Clamp(target / _averageJobTicks, 1, _options.PipelineDepth);
    }

    private void Send(RunnerProcess runner, List<RunnerJob> jobs)
    {
        try
        {
            runner.Send(jobs, _modules);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The runner died while we wrote; its reader hands the unanswered jobs back.
            runner.Kill();
        }
    }

    private void OnDone(Slot slot, RunnerJob job, RunnerResult result)
    {
        lock (_lock)
        {
            slot.Assigned--;
            var ticks = Math.Max(result.Elapsed.Ticks, 1);
            _averageJobTicks = _averageJobTicks <= 0 ? ticks : (0.9 * _averageJobTicks) + (0.1 * ticks);
        }

        Pump();
        Interlocked.Increment(ref _jobsRun);
        Complete(job, result);
    }

    private void OnExit(Slot slot, RunnerJob? head, RunnerResult? result, IReadOnlyList<RunnerJob> rest)
    {
        List<RunnerJob> cancelled = [];
        lock (_lock)
        {
            slot.Runner = null;
            slot.Assigned = 0;
            for (var i = rest.Count - 1; i >= 0; i--)
            {
                if (rest[i].Cancelled)
                {
                    cancelled.Add(rest[i]);
                }
                else
                {
                    _queue.AddFirst(rest[i]);
                }
            }
        }

        foreach (var job in cancelled)
        {
            Complete(job, new RunnerResult(null, "cancelled with its task", Grid.JobErrorKind.Cancelled, TimeSpan.Zero));
        }

        // A pool that stops reports nothing more: the jobs it had are not failures of theirs, and
        // whoever holds them finds them gone and runs them elsewhere, without using up an attempt.
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        if (head is not null)
        {
            LogRunnerLost(_logger, slot.Index, result!.Error!);
            Interlocked.Increment(ref _jobsRun);
            Complete(head, result);
        }

        _ = ReplaceAsync(slot);
    }

    private async Task ReplaceAsync(Slot slot)
    {
        try
        {
            await StartRunnerAsync(slot);
        }
        catch (Exception exception)
        {
            LogReplaceFailed(_logger, exception, slot.Index);
        }
    }

    private void Complete(RunnerJob job, RunnerResult result)
    {
        try
        {
            job.OnDone(job, result);
        }
        catch (Exception exception)
        {
            LogCallbackFailed(_logger, exception);
        }
    }

    private void Watch()
    {
        RunnerProcess?[] runners;
        lock (_lock)
        {
            runners = [.. _slots.Select(s => s.Runner)];
        }

        var ceiling = _options.MemoryLimitBytes + (256L * 1024 * 1024);
        foreach (var runner in runners)
        {
            runner?.Check(ceiling, _options.MemoryLimitBytes);
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "Runner {Slot} started as process {Pid}")]
    private static partial void LogRunnerStarted(ILogger logger, int slot, int pid);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Runner {Slot} was replaced: {Reason}")]
    private static partial void LogRunnerLost(ILogger logger, int slot, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Runner {Slot} could not be restarted")]
    private static partial void LogReplaceFailed(ILogger logger, Exception exception, int slot);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "A job completion handler failed")]
    private static partial void LogCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "Runner console: {Line}")]
    private static partial void LogConsole(ILogger logger, string line);

    private sealed class Slot(int index)
    {
        public int Index { get; } = index;

        public RunnerProcess? Runner { get; set; }

        public int Assigned { get; set; }

        public Task Reader { get; set; } = Task.CompletedTask;
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using GridActors.Grains.Volunteers;
using Microsoft.Extensions.Options;

namespace GridActors.Grains.Runners;

/// <summary>
/// The silo's runner processes, one per donated CPU. Jobs wait in one queue; each runner is kept
/// supplied with up to <see cref="RunnerOptions.PipelineDepth"/> jobs. A runner that breaks a limit is
/// killed and replaced; the job it was running fails with the reason, the jobs queued behind it run
/// on another runner.
/// </summary>
public sealed partial class RunnerPool : IJobRunners, IAsyncDisposable
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

    private string RunnerEngine()
    {
        lock (_lock)
        {
            return _slots.Select(s => s.Runner?.Engine).FirstOrDefault(e => e is not null) ?? "unknown";
        }
    }

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

    /// <summary>The JavaScript engine the runners run modules in, such as "V8 (ClearScript 7.5.1)"; known once they started.</summary>
    public string Engine { get; private set; } = "unknown";

    private async Task StartRunnersAsync()
    {
        await Task.WhenAll(_slots.Select(StartRunnerAsync));
        Engine = RunnerEngine();
        if (_slots.Length == 0)
        {
            Engine = "none";
            LogNoRunners(_logger);
        }
        else
        {
            LogEngine(_logger, _slots.Length, Engine);
        }

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

    private sealed class Slot(int index)
    {
        public int Index { get; } = index;

        public RunnerProcess? Runner { get; set; }

        public int Assigned { get; set; }

        public Task Reader { get; set; } = Task.CompletedTask;
    }
}

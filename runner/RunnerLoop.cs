using System.Globalization;
using System.Text;
using GridActors.Runner.Engines;
using GridActors.Runner.Protocol;

namespace GridActors.Runner;

/// <summary>
/// The runner's main loop: reads requests, runs jobs one at a time, writes one reply per job in order.
/// Replies to a batch go out together when the batch ends, and at most <see cref="FlushDelay"/> after
/// they were written: a quick job's reply never waits for a slow job sent behind it, which the silo
/// would take for the quick job still running (and hold to its time limit).
/// Each task gets an engine of its own (<see cref="TaskEngine"/>); a job is stopped at its time limit
/// by interrupting that engine, and an engine past its memory limit is dropped, both without the
/// runner exiting. Only a breach of the runner's own .NET heap makes it answer and exit.
/// </summary>
internal sealed partial class RunnerLoop(FrameStream input, FrameStream output, RunnerSettings settings, TextWriter console) : IDisposable
{
    /// <summary>How long a reply may wait in the buffer for the rest of its batch.</summary>
    internal static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(2);

    private readonly Lock _outputLock = new();
    private Timer? _flushTimer;
    private bool _unflushed;

    private readonly Dictionary<string, (string Name, string Source)> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModuleHost> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _loadErrors = new(StringComparer.Ordinal);
    private readonly EngineLimits _limits = new(settings.MemoryLimitBytes, settings.StackLimitBytes);
    private readonly Watchdog _watchdog = new();
    private EngineFactory? _engines;

    /// <summary>Runs until the input ends; returns the process exit code.</summary>
    public int Run()
    {
        _flushTimer = new Timer(static state => ((RunnerLoop)state!).FlushLate(), this, Timeout.Infinite, Timeout.Infinite);
        _engines = EngineFactory.Choose(settings.Engine, _limits);
        if (_engines.FallbackReason is { } reason)
        {
            console.WriteLine($"runner: {reason}; modules run in {_engines.Version}, slower");
            console.Flush();
        }

        Reply(new RunnerReply(RunnerReply.Ready, Engine: _engines.Version), flush: true);
        while ((_readAhead ?? input.Read(RunnerJsonContext.Default.RunnerRequest)) is { } request)
        {
            _readAhead = null;
            if (request.Kind == RunnerRequest.Load)
            {
                _sources[request.Module] = (request.Name ?? request.Module, request.Source ?? string.Empty);
                continue;
            }

            if (request.More && request.Kind == RunnerRequest.Run && _modules.TryGetValue(KeyOf(request), out var quick) && quick.Quick)
            {
                RunBatch(request, quick);
                continue;
            }

            var reply = RunOne(request, out var mustExit);

            // Replies go out in batches: at once when the silo sent no further request with this one.
            Reply(reply, flush: mustExit || !request.More);
            if (mustExit)
            {
                return 3;
            }
        }

        Reply(null, flush: true);
        return 0;
    }

    public void Dispose()
    {
        _flushTimer?.Dispose();
        _watchdog.Dispose();
        foreach (var module in _modules.Values)
        {
            module.Dispose();
        }
    }

    private void Reply(RunnerReply? reply, bool flush)
    {
        lock (_outputLock)
        {
            if (reply is not null)
            {
                output.Write(reply, RunnerJsonContext.Default.RunnerReply);
            }

            if (flush)
            {
                output.Flush();
                if (_unflushed)
                {
                    _unflushed = false;
                    _flushTimer?.Change(Timeout.Infinite, Timeout.Infinite);
                }
            }
            else if (!_unflushed)
            {
                _unflushed = true;
                _flushTimer?.Change(FlushDelay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Sends replies that waited <see cref="FlushDelay"/> while the job after them runs.</summary>
    private void FlushLate()
    {
        lock (_outputLock)
        {
            if (!_unflushed)
            {
                return;
            }

            _unflushed = false;
            try
            {
                output.Flush();
            }
            catch (IOException)
            {
                // The silo is gone; the main loop finds out at its next read or write.
            }
        }
    }

    /// <summary>Runs one job and times it; a quick one with a result lets its task's next jobs go in batches.</summary>
    private RunnerReply RunOne(RunnerRequest request, out bool mustExit)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var reply = Execute(request, out mustExit) with { Ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds };
        if (request.Kind == RunnerRequest.Run && _modules.TryGetValue(KeyOf(request), out var module))
        {
            module.Quick = reply.Ms < QuickJobMs && reply.Error is null;
        }

        return reply;
    }

    private RunnerReply Execute(RunnerRequest request, out bool mustExit)
    {
        mustExit = false;
        var key = KeyOf(request);
        var timeout = TimeoutOf(request);
        try
        {
            var module = GetModule(key, request.Module, timeout);
            string value;
            _watchdog.Arm(module.Engine, timeout);
            try
            {
                value = request.Kind == RunnerRequest.Compare
                    ? module.Compare(request.Item ?? "[]", DeadlineAfter(timeout))
                    : module.Run(request.Item ?? "null", request.Seed ?? string.Empty, DeadlineAfter(timeout));
            }
            finally
            {
                _watchdog.Disarm();
            }

            return Succeed(request.Id, value);
        }
        catch (ModuleLoadException exception)
        {
            return Fail(request.Id, "module", exception.Message);
        }
        catch (JobException exception)
        {
            return ScriptError(request.Id, exception.Message);
        }
        catch (JobTimeoutException)
        {
            return TimedOut(request.Id, timeout);
        }
        catch (EngineMemoryException)
        {
            // The engine can run nothing more; the task's next job gets a fresh one.
            Drop(key);
            return OverMemory(request.Id);
        }
        catch (OutOfMemoryException)
        {
            mustExit = true;
            foreach (var cached in _modules.Keys.ToArray())
            {
                Drop(cached);
            }

            GC.Collect();
            return Fail(request.Id, "memory", $"exceeded the {Sizes.Format(settings.MemoryLimitBytes)} memory limit") with { Exiting = true };
        }
    }

    private ModuleHost GetModule(string key, string hash, TimeSpan timeout)
    {
        if (_modules.TryGetValue(key, out var module))
        {
            return module;
        }

        if (_loadErrors.TryGetValue(hash, out var error))
        {
            throw new ModuleLoadException(error);
        }

        if (!_sources.TryGetValue(hash, out var source))
        {
            throw new ModuleLoadException(string.Create(CultureInfo.InvariantCulture, $"module {hash} was never sent to this runner"));
        }

        TaskEngine engine;
        try
        {
            // The module's top level runs within the time limit of the job that loads it.
            using var deadline = new CancellationTokenSource(timeout);
            engine = _engines!.Load(source.Name, source.Source, _limits, deadline.Token);
        }
        catch (ModuleLoadException exception)
        {
            _loadErrors[hash] = exception.Message;
            throw;
        }
        catch (EngineInterruptedException)
        {
            throw new ModuleLoadException($"{source.Name}: the module did not finish loading (its top level ran past the job's time limit)");
        }

        if (_modules.Count >= settings.EngineCacheSize)
        {
            Drop(_modules.Keys.First());
        }

        module = new ModuleHost(engine, console);
        _modules[key] = module;
        return module;
    }

    private void Drop(string key)
    {
        if (_modules.Remove(key, out var module))
        {
            module.Dispose();
        }
    }

    private static RunnerReply Fail(long id, string kind, string error) => new(RunnerReply.Result, id, Error: error, ErrorKind: kind);

    private static string KeyOf(RunnerRequest request) => (request.Task ?? string.Empty) + "/" + request.Module;

    private static TimeSpan TimeoutOf(RunnerRequest request) => request.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(request.TimeoutMs) : TimeSpan.FromDays(1);

    private static long DeadlineAfter(TimeSpan timeout) => System.Diagnostics.Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    private RunnerReply Succeed(long id, string value)
    {
        var size = Encoding.UTF8.GetByteCount(value);
        return size > settings.OutputLimitBytes
            ? Fail(id, "output", $"result of {Sizes.Format(size)} exceeds the {Sizes.Format(settings.OutputLimitBytes)} limit")
            : new RunnerReply(RunnerReply.Result, id, Value: value);
    }

    // An ArrayBuffer (or a typed array) larger than the engine may allocate is the memory limit, named as such.
    private RunnerReply ScriptError(long id, string error) => error.StartsWith("RangeError: Array buffer allocation failed", StringComparison.Ordinal)
        ? OverMemory(id)
        : Fail(id, "script", error);

    private static RunnerReply TimedOut(long id, TimeSpan timeout) =>
        Fail(id, "timeout", $"timed out after {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");

    private RunnerReply OverMemory(long id) => Fail(id, "memory", $"exceeded the {Sizes.Format(settings.MemoryLimitBytes)} memory limit");
}

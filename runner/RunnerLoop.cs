using System.Globalization;
using System.Text;
using GridActors.Runner.Protocol;

namespace GridActors.Runner;

/// <summary>
/// The runner's main loop: reads requests, runs jobs one at a time, writes one reply per job in order.
/// Replies to a batch go out together when the batch ends, and at most <see cref="FlushDelay"/> after
/// they were written: a quick job's reply never waits for a slow job sent behind it, which the silo
/// would take for the quick job still running (and hold to its time limit).
/// A memory limit breach is answered, then the runner exits: its heap can no longer be trusted, and
/// the silo starts a fresh runner.
/// </summary>
internal sealed class RunnerLoop(FrameStream input, FrameStream output, RunnerSettings settings, TextWriter console) : IDisposable
{
    /// <summary>How long a reply may wait in the buffer for the rest of its batch.</summary>
    internal static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(2);

    private readonly Lock _outputLock = new();
    private Timer? _flushTimer;
    private bool _unflushed;

    private readonly Dictionary<string, (string Name, string Source)> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModuleHost> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _loadErrors = new(StringComparer.Ordinal);

    /// <summary>Runs until the input ends; returns the process exit code.</summary>
    public int Run()
    {
        _flushTimer = new Timer(static state => ((RunnerLoop)state!).FlushLate(), this, Timeout.Infinite, Timeout.Infinite);
        WarmUp();
        Reply(new RunnerReply(RunnerReply.Ready), flush: true);
        while (input.Read(RunnerJsonContext.Default.RunnerRequest) is { } request)
        {
            if (request.Kind == RunnerRequest.Load)
            {
                _sources[request.Module] = (request.Name ?? request.Module, request.Source ?? string.Empty);
                continue;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var reply = Execute(request, out var mustExit) with { Ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds };

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

    public void Dispose() => _flushTimer?.Dispose();

    /// <summary>
    /// Loads the engine and runs a module of its own once before saying it is ready: the engine's
    /// compiler is compiled in turn by .NET the first time, a few hundred milliseconds the first job
    /// of a task would otherwise wait. A silo starts its runners while Orleans starts, so this costs
    /// nothing on the way to the first job.
    /// </summary>
    private void WarmUp()
    {
        var host = ModuleHost.Load("warm-up.js", "module.exports = function (x) { return [x, JSON.stringify({ x: x | 0 })] }", settings.RecursionLimit, TextWriter.Null);
        host.Run("1", settings.RecursionLimit);
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

    private RunnerReply Execute(RunnerRequest request, out bool mustExit)
    {
        mustExit = false;
        try
        {
            var module = GetModule(request.Module);
            var value = module.Run(request.Item ?? "null", settings.RecursionLimit);
            var size = Encoding.UTF8.GetByteCount(value);
            return size > settings.OutputLimitBytes
                ? Fail(request.Id, "output", $"result of {Sizes.Format(size)} exceeds the {Sizes.Format(settings.OutputLimitBytes)} limit")
                : new RunnerReply(RunnerReply.Result, request.Id, Value: value);
        }
        catch (ModuleLoadException exception)
        {
            return Fail(request.Id, "module", exception.Message);
        }
        catch (JobException exception)
        {
            return Fail(request.Id, "script", exception.Message);
        }
        catch (OutOfMemoryException)
        {
            mustExit = true;
            _modules.Clear();
            GC.Collect();
            return Fail(request.Id, "memory", $"exceeded the {Sizes.Format(settings.MemoryLimitBytes)} memory limit");
        }
    }

    private ModuleHost GetModule(string hash)
    {
        if (_modules.TryGetValue(hash, out var module))
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

        try
        {
            module = ModuleHost.Load(source.Name, source.Source, settings.RecursionLimit, console);
        }
        catch (ModuleLoadException exception)
        {
            _loadErrors[hash] = exception.Message;
            throw;
        }

        if (_modules.Count >= settings.ModuleCacheSize)
        {
            _modules.Remove(_modules.Keys.First());
        }

        _modules[hash] = module;
        return module;
    }

    private static RunnerReply Fail(long id, string kind, string error) => new(RunnerReply.Result, id, Error: error, ErrorKind: kind);
}

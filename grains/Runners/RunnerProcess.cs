using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using GridActors.Grid;
using GridActors.Runner.Protocol;

namespace GridActors.Grains.Runners;

/// <summary>
/// One runner process. Jobs are written ahead (pipelined) and answered in order, so the job at the
/// head of <see cref="_inFlight"/> is the one running; the pool's watchdog holds it to its time limit.
/// </summary>
internal sealed partial class RunnerProcess
{
    private const int PipeBufferBytes = 64 * 1024;
    private readonly object _lock = new();
    private readonly Queue<RunnerJob> _inFlight = new();
    private readonly HashSet<string> _modulesSent = new(StringComparer.Ordinal);
    private readonly Process _process;
    private readonly FrameStream _requests;
    private readonly FrameStream _replies;
    private readonly TimeProvider _time;
    private long _headStarted;
    private (JobErrorKind Kind, string Error)? _killReason;

    // The job the kill was for. The runner may answer it between the decision and the kill; the
    // job then at the head never ran to a verdict and is run again elsewhere, not failed.
    private RunnerJob? _killedJob;
    private bool _retiring;

    private RunnerProcess(Process process, TimeProvider time, int maxReplyBytes)
    {
        _process = process;
        Pid = process.Id;
        _time = time;
        // Buffered both ways: a batch of requests goes out in one write, and one read takes in every
        // reply the runner has written, rather than two system calls for each frame's length and body.
        _requests = new FrameStream(new BufferedStream(process.StandardInput.BaseStream, PipeBufferBytes), int.MaxValue);
        _replies = new FrameStream(new BufferedStream(process.StandardOutput.BaseStream, PipeBufferBytes), maxReplyBytes);
    }

    public int Pid { get; }

    /// <summary>The JavaScript engine the runner runs modules in, such as "V8 (ClearScript 7.5.1)".</summary>
    public string Engine { get; private set; } = "unknown";

    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>How long the job at the head has been running; zero when the runner is idle.</summary>
    public TimeSpan HeadRunningFor
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count == 0 ? TimeSpan.Zero : _time.GetElapsedTime(_headStarted);
            }
        }
    }

    public static async Task<RunnerProcess> StartAsync(RunnerOptions options, TimeProvider time, Action<string> console)
    {
        if (!File.Exists(options.RunnerPath))
        {
            throw new FileNotFoundException($"The job runner {options.RunnerPath} is missing; rebuild GridActors (./grid rebuilds it when sources change).", options.RunnerPath);
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["exec", options.RunnerPath,
            "--output-limit", options.OutputLimitBytes.ToString(CultureInfo.InvariantCulture),
            "--memory-limit", options.MemoryLimitBytes.ToString(CultureInfo.InvariantCulture),
            "--stack-limit", options.StackLimitBytes.ToString(CultureInfo.InvariantCulture),
            "--engine", options.Engine])
        {
            start.ArgumentList.Add(argument);
        }

        // Task engines are held to the memory limit by V8 itself (or Jint); the runner's own .NET heap
        // gets the same bound, so a huge result or item becomes an OutOfMemoryException the runner
        // answers before it exits. The pool's watchdog bounds the whole process's memory.
        // (Jint's engines live in that heap: 128 MiB above the limit leaves room for the runner itself.)
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + (options.MemoryLimitBytes + (128L << 20)).ToString("X", CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_gcConcurrent"] = "0";

        // Hot code is recompiled optimized as soon as it is hot, not after the runtime's start-up
        // delay: a runner is all hot path (the engine, the module's compiled code, the protocol), and
        // with the delay 100,000 trivial jobs took 6.0 s instead of 4.3 (bench/RESULTS.md).
        start.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the job runner {options.RunnerPath}.");
        try
        {
            // The volunteer's own work comes first: runners take only CPU nobody else wants.
            process.PriorityClass = ProcessPriorityClass.Idle;
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // The process already exited; the ready check below reports it.
        }

        _ = PumpConsoleAsync(process, console);
        var runner = new RunnerProcess(process, time, checked((int)Math.Min(int.MaxValue, options.OutputLimitBytes + (64 * 1024))));
        var ready = await runner._replies.ReadAsync(RunnerJsonContext.Default.RunnerReply).AsTask().WaitAsync(options.StartTimeout, time);
        if (ready?.Kind != RunnerReply.Ready)
        {
            throw new InvalidOperationException($"The job runner {options.RunnerPath} did not start (exit code {(process.HasExited ? process.ExitCode : -1)}).");
        }

        runner.Engine = ready.Engine ?? "unknown";
        return runner;
    }

    /// <summary>Writes jobs to the runner, loading modules it has not seen. Blocks while the runner's input pipe is full.</summary>
    public void Send(IReadOnlyList<RunnerJob> jobs, IReadOnlyDictionary<string, (string Name, string Source)> modules)
    {
        lock (_lock)
        {
            for (var i = 0; i < jobs.Count; i++)
            {
                var job = jobs[i];
                if (_modulesSent.Add(job.ModuleHash))
                {
                    var (name, source) = modules[job.ModuleHash];
                    _requests.Write(new RunnerRequest(RunnerRequest.Load, 0, job.ModuleHash, source, name), RunnerJsonContext.Default.RunnerRequest);
                }

                if (_inFlight.Count == 0)
                {
                    _headStarted = _time.GetTimestamp();
                }

                _inFlight.Enqueue(job);
                _requests.Write(
                    new RunnerRequest(job.Compare ? RunnerRequest.Compare : RunnerRequest.Run, job.Id, job.ModuleHash, Item: job.Item, More: i < jobs.Count - 1, Task: job.Task, TimeoutMs: job.Timeout.TotalMilliseconds, Seed: job.Seed),
                    RunnerJsonContext.Default.RunnerRequest);
            }

            // Under the lock: the buffer is not safe for two writers, and frames must not interleave.
            _requests.Flush();
        }
    }

    /// <summary>
    /// Reads replies until the runner exits. Each finished job goes to <paramref name="onDone"/>; at
    /// the end, the jobs the runner never answered go to <paramref name="onExit"/>: the running one
    /// with the reason it was lost, the others to be run again elsewhere.
    /// </summary>
    public async Task ReadRepliesAsync(Action<RunnerJob, RunnerResult> onDone, Action<RunnerJob?, RunnerResult?, IReadOnlyList<RunnerJob>> onExit)
    {
        try
        {
            while (await _replies.ReadAsync(RunnerJsonContext.Default.RunnerReply) is { } reply)
            {
                RunnerJob job;
                lock (_lock)
                {
                    job = _inFlight.Dequeue();
                    _headStarted = _time.GetTimestamp();
                }

                if (job.Id != reply.Id)
                {
                    throw new InvalidDataException($"The runner answered job {reply.Id} where job {job.Id} was expected.");
                }

                var kind = KindOf(reply.ErrorKind);
                if (reply.Exiting)
                {
                    // The runner exits after its own heap ran out; the jobs behind this one never ran.
                    _retiring = true;
                }

                // The runner's own measure: replies arrive in batches, so gaps between them say nothing of a job's length.
                onDone(job, new RunnerResult(reply.Value, reply.Error, kind, TimeSpan.FromMilliseconds(reply.Ms)));
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or EndOfStreamException or System.Text.Json.JsonException or ObjectDisposedException)
        {
            lock (_lock)
            {
                _killReason ??= (JobErrorKind.Lost, $"the runner broke its protocol ({exception.Message})");
            }

            Kill();
        }

        await _process.WaitForExitAsync();
        RunnerJob? head;
        RunnerJob[] rest;
        TimeSpan ran;
        (JobErrorKind Kind, string Error) reason;
        lock (_lock)
        {
            head = _inFlight.Count > 0 && !(_retiring && _killReason is null) ? _inFlight.Dequeue() : null;
            rest = head is not null && _killedJob is not null && head != _killedJob ? [head, .. _inFlight] : [.. _inFlight];
            if (rest.Length > 0 && rest[0] == head)
            {
                head = null;
            }

            _inFlight.Clear();
            ran = _time.GetElapsedTime(_headStarted);
            reason = _killReason ?? (JobErrorKind.Lost, $"the runner exited unexpectedly (exit code {_process.ExitCode})");
        }

        onExit(head, head is null ? null : new RunnerResult(null, reason.Error, reason.Kind, ran), rest);
        _process.Dispose();
    }

    private static JobErrorKind KindOf(string? kind) => kind switch
    {
        null => JobErrorKind.Script,
        "module" => JobErrorKind.Module,
        "memory" => JobErrorKind.Memory,
        "output" => JobErrorKind.Output,
        "timeout" => JobErrorKind.Timeout,
        _ => JobErrorKind.Script,
    };

    private static async Task PumpConsoleAsync(Process process, Action<string> console)
    {
        try
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                console(line);
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The runner is gone; its exit is reported by the reply reader.
        }
    }

    /// <summary>The dotnet host that runs this process's runtime, so runners use the same runtime as the silo.</summary>
    private static string DotnetHost()
    {
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}

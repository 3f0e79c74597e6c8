using Microsoft.Extensions.Logging;

namespace GridActors.Grains.Runners;

/// <summary>The pool's side of its runners: keeping each supplied with jobs, hearing their results and exits, replacing the broken and watching for the stuck.</summary>
public sealed partial class RunnerPool
{
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
            runner?.Check(ceiling, _options.MemoryLimitBytes, _options.KillGrace);
        }
    }

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "{Runners} runners run modules in {Engine}")]
    private static partial void LogEngine(ILogger logger, int runners, string engine);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "No runners (--cpus 0): only browser volunteers run jobs on this silo")]
    private static partial void LogNoRunners(ILogger logger);

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
}

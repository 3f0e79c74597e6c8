using System.Globalization;
using GridActors.Grid;
using GridActors.Runner;

namespace GridActors.Grains.Runners;

/// <summary>A runner held to its limits: time, memory, and a cancelled task's jobs.</summary>
internal sealed partial class RunnerProcess
{
    /// <summary>
    /// Kills the runner when its running job is past its time limit by more than <paramref name="grace"/>
    /// (the runner stops a job at its limit itself, and is killed only when it cannot), or the runner
    /// is past its memory ceiling: the whole process's bound, the last line of defence.
    /// </summary>
    public void Check(long memoryCeilingBytes, long memoryLimitBytes, TimeSpan grace)
    {
        bool kill;
        lock (_lock)
        {
            if (_killReason is not null || _inFlight.Count == 0)
            {
                return;
            }

            var head = _inFlight.Peek();
            if (_time.GetElapsedTime(_headStarted) > head.Timeout + grace)
            {
                _killReason = (JobErrorKind.Timeout, $"timed out after {FormatSeconds(head.Timeout)}");
            }
            else if (WorkingSet() > memoryCeilingBytes)
            {
                _killReason = (JobErrorKind.Memory, $"exceeded the {Sizes.Format(memoryLimitBytes)} memory limit");
            }

            kill = _killReason is not null;
            _killedJob = kill ? head : null;
        }

        if (kill)
        {
            Kill();
        }
    }

    /// <summary>Kills the runner when the job it is running matches: its task was cancelled. The jobs queued behind it run elsewhere.</summary>
    public void CancelRunning(Func<RunnerJob, bool> match)
    {
        lock (_lock)
        {
            // Jobs written ahead behind the running one are marked, so that they are not queued again
            // should the runner stop; they run here if it does not, and their outcomes are ignored.
            foreach (var job in _inFlight.Where(match))
            {
                job.Cancelled = true;
            }

            if (_killReason is not null || _inFlight.Count == 0 || !match(_inFlight.Peek()))
            {
                return;
            }

            _killReason = (JobErrorKind.Cancelled, "cancelled with its task");
            _killedJob = _inFlight.Peek();
        }

        Kill();
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private long WorkingSet()
    {
        try
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }

    private static string FormatSeconds(TimeSpan timeout) =>
        timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}

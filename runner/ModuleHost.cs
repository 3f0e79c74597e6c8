using System.Diagnostics;
using System.Globalization;
using GridActors.Runner.Engines;

namespace GridActors.Runner;

/// <summary>
/// One task's module in its engine, and the loop that runs a job to its answer: at once for a
/// module that returns a value, or through its promises and timers for one that answers later,
/// never past the job's deadline.
/// </summary>
internal sealed class ModuleHost(TaskEngine engine, TextWriter console) : IDisposable
{
    /// <summary>The task's engine, for the runner's watchdog.</summary>
    public TaskEngine Engine => engine;

    /// <summary>Runs the module on one item (JSON text) and returns the result as JSON text.</summary>
    /// <param name="itemJson">The item.</param>
    /// <param name="deadline">The <see cref="Stopwatch"/> timestamp past which the job has timed out.</param>
    /// <exception cref="JobException">The module threw, rejected, called back with an error, or returned what JSON cannot hold.</exception>
    /// <exception cref="JobTimeoutException">The answer did not come before the deadline.</exception>
    /// <exception cref="EngineMemoryException">The engine went past its memory limit.</exception>
    public string Run(string itemJson, long deadline)
    {
        var settled = false;
        try
        {
            var answer = engine.Start(itemJson);
            var polled = false;
            while (true)
            {
                if (answer[1] == 'c')
                {
                    WriteConsole(engine.TakeConsole());
                }

                switch (answer[0])
                {
                    case '1':
                        settled = true;
                        return answer[2..];
                    case '0':
                        settled = true;
                        throw new JobException(answer[2..]);
                }

                // Waiting: for promise continuations (they ran when the last call returned), or for a timer.
                var wait = long.Parse(answer.AsSpan(2), CultureInfo.InvariantCulture);
                if (polled && wait != 0)
                {
                    var left = deadline - Stopwatch.GetTimestamp();
                    if (left <= 0 || wait < 0)
                    {
                        Sleep(left);
                        throw new JobTimeoutException();
                    }

                    Sleep(Math.Min(left, wait * Stopwatch.Frequency / 1000));
                }

                answer = engine.Poll();
                polled = true;
            }
        }
        catch (EngineInterruptedException)
        {
            throw new JobTimeoutException();
        }
        finally
        {
            if (!settled)
            {
                Forget();
            }
        }
    }

    public void Dispose() => engine.Dispose();

    private static void Sleep(long ticks)
    {
        if (ticks > 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency));
        }
    }

    // A job that ends without its answer leaves no timer behind to fire in the next one.
    private void Forget()
    {
        try
        {
            engine.Abandon();
        }
        catch (Exception exception) when (exception is EngineInterruptedException or JobException)
        {
            // An interruption still pending: the runner withdraws it before the next job.
        }
    }

    private void WriteConsole(string lines)
    {
        if (lines.Length == 0)
        {
            return;
        }

        lock (console)
        {
            console.WriteLine(lines);
            console.Flush();
        }
    }
}

/// <summary>A job failed in the module's own code.</summary>
internal sealed class JobException(string message) : Exception(message);

/// <summary>A job's answer did not come before its deadline.</summary>
internal sealed class JobTimeoutException() : Exception("timed out");

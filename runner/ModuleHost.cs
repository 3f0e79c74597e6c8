using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GridActors.Runner.Engines;
using GridActors.Runner.Protocol;

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
    /// <param name="seed">Seeds the job's Math.random when not empty (a job whose results are checked against other volunteers').</param>
    public string Run(string itemJson, string seed, long deadline) => Settle(() => engine.Start(itemJson, seed), deadline);

    /// <summary>Judges pairs of results with the module's compare function: a JSON array of booleans, or "null" when it exports none.</summary>
    public string Compare(string pairsJson, long deadline) => Settle(() => engine.Compare(pairsJson), deadline);

    /// <summary>Whether the task's jobs answer at once and quickly, so that several go in one call (<see cref="RunBatch"/>).</summary>
    public bool Quick { get; set; }

    /// <summary>
    /// Runs several jobs of the task in one call into the engine: a trivial job then costs the
    /// engine's work alone, not a crossing from .NET each. The engine stops after
    /// <see cref="BatchBudgetMs"/>, so a quick job's answer waits at most that long for the jobs of
    /// its batch, and at the first job that does not answer at once, which is carried on as
    /// <see cref="Run"/> carries one. Adds an outcome to <paramref name="outcomes"/> for each job
    /// that ran, in order, at least one; the caller runs the rest in a further call.
    /// </summary>
    /// <exception cref="JobTimeoutException">The job after the last outcome timed out.</exception>
    /// <exception cref="EngineMemoryException">The job after the last outcome went past the memory limit.</exception>
    public void RunBatch(IReadOnlyList<string> items, IReadOnlyList<string?> seeds, long deadline, List<(string? Value, string? Error)> outcomes)
    {
        string answers;
        try
        {
            var seedsJson = seeds.All(s => s is null) ? string.Empty : JsonSerializer.Serialize(seeds.Select(s => s ?? string.Empty).ToArray(), RunnerJsonContext.Default.StringArray);
            answers = engine.StartBatch("[" + string.Join(',', items) + "]", BatchBudgetMs, seedsJson);
        }
        catch (EngineInterruptedException)
        {
            // The jobs before the interrupted one have their answers; the interrupted one timed out.
            // (Jint's interruption stays raised until withdrawn; V8's is spent.)
            engine.CancelInterrupt();
            Collect(Partial(), deadline, outcomes);
            Forget();
            throw new JobTimeoutException();
        }

        Collect(answers, deadline, outcomes);
    }

    /// <summary>How long one call of <see cref="RunBatch"/> may go on starting jobs.</summary>
    internal const double BatchBudgetMs = 2;

    private string Partial()
    {
        try
        {
            return engine.TakeBatch();
        }
        catch (Exception exception) when (exception is EngineInterruptedException or JobException)
        {
            return string.Empty;
        }
    }

    // Answers as the prelude joins them: each its length, ':' and the answer. A job that is waiting
    // (the last, if any) is carried on to its own answer here.
    private void Collect(string answers, long deadline, List<(string? Value, string? Error)> outcomes)
    {
        var at = 0;
        while (at < answers.Length)
        {
            var colon = answers.IndexOf(':', at);
            var length = int.Parse(answers.AsSpan(at, colon - at), CultureInfo.InvariantCulture);
            var answer = answers.Substring(colon + 1, length);
            at = colon + 1 + length;
            try
            {
                outcomes.Add((Settle(() => answer, deadline), null));
            }
            catch (JobException exception)
            {
                outcomes.Add((null, exception.Message));
            }
        }
    }

    private string Settle(Func<string> begin, long deadline)
    {
        var settled = false;
        try
        {
            var answer = begin();
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

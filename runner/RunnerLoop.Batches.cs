using System.Diagnostics;
using GridActors.Runner.Engines;
using GridActors.Runner.Protocol;

namespace GridActors.Runner;

/// <summary>
/// Batches: jobs of one task that the silo wrote together go into the task's engine in one call,
/// once the task's jobs have shown they answer at once and quickly (<see cref="QuickJobMs"/>).
/// </summary>
internal sealed partial class RunnerLoop
{
    /// <summary>A job quicker than this, with a result, lets the next jobs of its task go in batches.</summary>
    internal const double QuickJobMs = 0.5;

    private const int MaxBatch = 64;

    private RunnerRequest? _readAhead;

    /// <summary>Runs <paramref name="first"/> and the run requests of the same task the silo wrote with it, replying to each in order.</summary>
    private void RunBatch(RunnerRequest first, ModuleHost module)
    {
        var batch = new List<RunnerRequest> { first };
        while (batch[^1].More && batch.Count < MaxBatch && input.Read(RunnerJsonContext.Default.RunnerRequest) is { } next)
        {
            if (next.Kind != RunnerRequest.Run || next.Task != first.Task || next.Module != first.Module || next.TimeoutMs != first.TimeoutMs)
            {
                _readAhead = next;
                break;
            }

            batch.Add(next);
        }

        var key = KeyOf(first);
        var timeout = TimeoutOf(first);
        var outcomes = new List<(string? Value, string? Error)>(batch.Count);
        var done = 0;
        while (done < batch.Count)
        {
            if (!_modules.TryGetValue(key, out var current) || current != module)
            {
                // The engine was dropped (memory): the rest go one by one, in a fresh one.
                Reply(RunOne(batch[done], out _), flush: !batch[done].More);
                done++;
                continue;
            }

            outcomes.Clear();
            RunnerReply? failure = null;
            var began = Stopwatch.GetTimestamp();
            _watchdog.Arm(module.Engine, timeout);
            try
            {
                module.RunBatch([.. batch.Skip(done).Select(r => r.Item ?? "null")], [.. batch.Skip(done).Select(r => r.Seed)], DeadlineAfter(timeout), outcomes);
            }
            catch (JobTimeoutException)
            {
                failure = TimedOut(batch[done + outcomes.Count].Id, timeout);
            }
            catch (EngineMemoryException)
            {
                Drop(key);
                failure = OverMemory(batch[done + outcomes.Count].Id);
            }
            finally
            {
                _watchdog.Disarm();
            }

            // The jobs of one call share its time: the silo's figures are per job, not per call.
            var count = outcomes.Count + (failure is null ? 0 : 1);
            var ms = Stopwatch.GetElapsedTime(began).TotalMilliseconds / count;
            module.Quick = ms < QuickJobMs;
            foreach (var (value, error) in outcomes)
            {
                var request = batch[done++];
                Reply((value is null ? ScriptError(request.Id, error!) : Succeed(request.Id, value)) with { Ms = ms }, flush: !request.More);
            }

            if (failure is not null)
            {
                module.Quick = false;
                Reply(failure with { Ms = ms }, flush: !batch[done++].More);
            }
        }
    }
}

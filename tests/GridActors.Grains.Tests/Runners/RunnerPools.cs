using GridActors.Grains.Runners;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GridActors.Grains.Tests.Runners;

/// <summary>Real runner pools for the runner tests, and a job run on one as a volunteer runs it.</summary>
internal static class RunnerPools
{
    /// <summary>One real runner process, with a small memory limit so a bomb goes off fast.</summary>
    public static RunnerPool OneRunner(string engine = "auto") => new(
        Options.Create(new RunnerOptions { Runners = 1, MemoryLimitBytes = 128L * 1024 * 1024, Engine = engine }),
        TimeProvider.System,
        NullLogger<RunnerPool>.Instance);

    /// <summary>Runs one job of <paramref name="module"/> on <paramref name="item"/> (JSON text) and waits for its outcome.</summary>
    public static Task<RunnerResult> RunAsync(this RunnerPool pool, string module, string item, TimeSpan? timeout = null, string name = "test.js", string? key = null, string? task = null, string? seed = null, bool compare = false)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name + module)));
        pool.AddModule(hash, name, module);
        var done = new TaskCompletionSource<RunnerResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        pool.Submit(new RunnerJob(hash, item, timeout ?? TimeSpan.FromSeconds(30), (_, result) => done.TrySetResult(result)) { Key = key, Task = task, Seed = seed, Compare = compare });
        return done.Task.WaitAsync(Testing.Eventually.Limit);
    }
}

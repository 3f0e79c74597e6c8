using System.Threading.Channels;
using GridActors.Grains.Runners;
using GridActors.Grid;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GridActors.Cli.Submission;

/// <summary>
/// `grid run --local`: no grid at all. The items run one after another in a single runner process,
/// under the same sandbox and limits, each attempted once; the module's console output shows on stderr.
/// It is for trying a module out.
/// </summary>
internal static class LocalRun
{
    private const int Window = 1024;

    public static async Task<string?> RunAsync(ModuleSource module, string moduleHash, TaskOptions options, ChannelReader<string> items, Action<IReadOnlyList<JobReport>> onResults, TextWriter console, CancellationToken cancellationToken)
    {
        var runnerOptions = new RunnerOptions { Runners = 1, ConsoleOutput = line => console.WriteLine(line) };
        await using var pool = new RunnerPool(Options.Create(runnerOptions), TimeProvider.System, NullLogger<RunnerPool>.Instance);
        await pool.StartAsync();
        pool.AddModule(moduleHash, module.Name, module.Source);

        var pending = Channel.CreateBounded<Task<JobReport>>(Window);
        var producer = Task.Run(async () =>
        {
            long index = 0;
            try
            {
                await foreach (var item in items.ReadAllAsync(cancellationToken))
                {
                    var done = new TaskCompletionSource<JobReport>(TaskCreationOptions.RunContinuationsAsynchronously);
                    var at = index++;
                    pool.Submit(new RunnerJob(moduleHash, item, options.JobTimeout, (_, r) =>
                        done.TrySetResult(new JobReport(at, item, r.Value, r.Error, r.ErrorKind))));
                    await pending.Writer.WriteAsync(done.Task, cancellationToken);
                }

                pending.Writer.Complete();
            }
            catch (Exception exception)
            {
                pending.Writer.Complete(exception);
            }
        }, cancellationToken);

        await foreach (var next in pending.Reader.ReadAllAsync(cancellationToken))
        {
            var report = await next;
            onResults([report]);
            if (report.ErrorKind == JobErrorKind.Module && report.Error is not null)
            {
                return report.Error;
            }
        }

        await producer;
        return null;
    }
}

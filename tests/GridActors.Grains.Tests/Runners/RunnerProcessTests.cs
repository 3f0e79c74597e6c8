using GridActors.Grains.Runners;

namespace GridActors.Grains.Tests.Runners;

/// <summary>One real runner process, spoken to directly: what the pool relies on of its replies.</summary>
public sealed class RunnerProcessTests
{
    private const string Module = "module.exports = function (x) { if (x === 2) { while (true) {} } return x * 10 }";
    private static readonly string Hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Module)));

    [Fact]
    public async Task AQuickJobsReply_DoesNotWaitForTheEndlessJobSentInTheSameBatch()
    {
        // Replies to a batch are written together at its end; a job that never ends must not hold back
        // the reply before it, or the silo would hold the quick job, already done, to its time limit.
        var runner = await RunnerProcess.StartAsync(new RunnerOptions { Runners = 1 }, TimeProvider.System, _ => { });
        var quick = new TaskCompletionSource<RunnerResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = runner.ReadRepliesAsync(
            (job, result) =>
            {
                if (job.Item == "1")
                {
                    quick.TrySetResult(result);
                }
            },
            (_, _, _) => { });
        var modules = new Dictionary<string, (string Name, string Source)> { [Hash] = ("endless.js", Module) };
        try
        {
            runner.Send([Job("1", id: 1), Job("2", id: 2)], modules);

            Assert.Equal("10", (await quick.Task.WaitAsync(Testing.Eventually.Limit)).Value);
            Assert.Equal(1, runner.InFlight);
        }
        finally
        {
            runner.Kill();
            await reader.WaitAsync(Testing.Eventually.Limit);
        }
    }

    private static RunnerJob Job(string item, long id) => new(Hash, item, TimeSpan.FromMinutes(1), (_, _) => { }) { Id = id };
}

using System.Text.Json;
using GridActors.Grains.Silos;
using GridActors.Testing;
using StackExchange.Redis;

namespace GridActors.Cli.Tests;

/// <summary>
/// What a test reads of a running grid: where the scheduler and a task are (through the CLI, as a user
/// would), and the load each silo publishes on the grid's load board in Redis.
/// </summary>
internal sealed class GridFacts(string redis, string cluster)
{
    /// <summary>The gateway port of the silo the scheduler is active on, from grid usage --json.</summary>
    public async Task<int> SchedulerPortAsync()
    {
        var usage = await GridProcess.RunAsync("usage", "--json", "--redis", redis, "--cluster", cluster, "--secret", "s3cret");
        Assert.True(usage.ExitCode == 0, usage.Stderr);
        var silo = JsonDocument.Parse(usage.Stdout).RootElement.EnumerateArray().Single(s => s.GetProperty("scheduler").GetBoolean());
        return PortOf(silo.GetProperty("address").GetString()!);
    }

    /// <summary>The gateway port of the silo the grid's one running task is active on, from grid status --json.</summary>
    public async Task<int> TaskPortAsync()
    {
        var status = await GridProcess.RunAsync("status", "--json", "--redis", redis, "--cluster", cluster, "--secret", "s3cret");
        Assert.True(status.ExitCode == 0, status.Stderr);
        var task = JsonDocument.Parse(status.Stdout).RootElement.EnumerateArray().Single(t => t.GetProperty("state").GetString() == "running");
        return PortOf(task.GetProperty("silo").GetString()!);
    }

    /// <summary>Reads the load board until the entry of the silo whose gateway is on <paramref name="port"/> matches.</summary>
    public async Task<PublishedLoad> FirstLoadAsync(int port, Func<PublishedLoad, bool> match)
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var deadline = DateTime.UtcNow + Eventually.Limit;
        PublishedLoad? last = null;
        while (true)
        {
            foreach (var field in await connection.GetDatabase().HashGetAllAsync($"{cluster}:silos"))
            {
                var load = JsonSerializer.Deserialize<PublishedLoad>((string)field.Value!)!;
                if (PortOf(load.Gateway) == port)
                {
                    last = load;
                    if (match(load))
                    {
                        return load;
                    }
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"the silo on port {port} published no matching load within {Eventually.Limit.TotalSeconds} s; last: {last}");

            // Pacing between reads of the board; each read is the event awaited.
            await Task.Delay(100);
        }
    }

    private static int PortOf(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}

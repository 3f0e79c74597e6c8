using System.Diagnostics;
using System.Globalization;
using GridActors.Testing;

namespace GridActors.Cli.Tests;

/// <summary>deploy/local-grid.sh, the compose topology as local processes: up, a task through it, status, down.</summary>
public sealed class LocalGridTests
{
    [Fact]
    public async Task Up_RunsATaskThroughTheFirstSilo_ShowsItsStatus_AndComesDown()
    {
        var gridPort = Ports.FreeRange(3);
        var siloPort = Ports.FreeRange(3);
        var httpPort = Ports.FreeRange(3);
        var redisPort = Ports.Free();
        var settings = new Dictionary<string, string>
        {
            ["GRID_PORT"] = gridPort.ToString(CultureInfo.InvariantCulture),
            ["SILO_PORT"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["REDIS_PORT"] = redisPort.ToString(CultureInfo.InvariantCulture),
            ["LOCAL_GRID_DIR"] = Directory.CreateTempSubdirectory("gridactors-local-grid-").FullName,
        };

        try
        {
            var up = await ScriptAsync(settings, "up");
            Assert.Equal(0, up.ExitCode);
            Assert.StartsWith($"local grid up: Redis on 127.0.0.1:{redisPort}, silos silo1 silo2 silo3 on ports {gridPort}-{gridPort + 2}.\n", up.Stdout, StringComparison.Ordinal);

            // The secret is the one .env documents for local use.
            var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "2", "3", "--grid", $"localhost:{gridPort}", "--secret", "local-grid-secret");
            Assert.Equal(new GridRun(0, "1\n4\n9\n", string.Empty), run);

            var status = await ScriptAsync(settings, "status");
            Assert.Equal(0, status.ExitCode);
            Assert.Contains($"redis  running on 127.0.0.1:{redisPort}\n", status.Stdout, StringComparison.Ordinal);
            Assert.Contains($"silo3  running on 127.0.0.1:{gridPort + 2} (pid ", status.Stdout, StringComparison.Ordinal);
            Assert.Matches($@"(?m)^silo2 +127\.0\.0\.1:{gridPort + 1} +active ", status.Stdout);
        }
        finally
        {
            var down = await ScriptAsync(settings, "down");
            Assert.Equal(0, down.ExitCode);
        }

        Assert.Equal("redis  stopped\nsilo1  stopped\nsilo2  stopped\nsilo3  stopped\n", (await ScriptAsync(settings, "status")).Stdout);
    }

    private static async Task<GridRun> ScriptAsync(Dictionary<string, string> settings, string command)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = GridProcess.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("deploy/local-grid.sh");
        start.ArgumentList.Add(command);
        GridProcess.WithoutMachineSettings(start);

        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        // The first `up` on a fresh clone builds the grid command.
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return new GridRun(process.ExitCode, await stdout, await stderr);
    }
}

using System.Diagnostics;
using System.Text.Json;
using GridActors.Testing;
using StackExchange.Redis;

namespace GridActors.Cli.Tests;

/// <summary>A real `grid silo` process on a real redis-server, and clients that reach it through Redis or directly.</summary>
public sealed class SiloCommandTests : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly RedisServer _redis;
    private readonly string _cluster = "cli-" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Ports.Free();
    private Process _silo = null!;
    private readonly List<string> _siloLog = [];

    public SiloCommandTests(RedisServer redis) => _redis = redis;

    public async Task InitializeAsync()
    {
        _silo = Process.Start(GridProcess.StartInfo(
            "silo", "--redis", _redis.Address, "--cluster", _cluster, "--port", Port, "--silo-port", FreePort(), "--http-port", FreePort(),
            "--secret", "s3cret", "--cpus", "2", "--name", "test-silo"))!;
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _silo.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                joined.TrySetException(new InvalidOperationException("grid silo exited: " + string.Join('\n', _siloLog)));
                return;
            }

            lock (_siloLog)
            {
                _siloLog.Add(e.Data);
            }

            if (e.Data.StartsWith("grid: silo test-silo joined cluster", StringComparison.Ordinal))
            {
                joined.TrySetResult();
            }
        };
        _silo.OutputDataReceived += (_, _) => { };
        _silo.BeginErrorReadLine();
        _silo.BeginOutputReadLine();
        await Eventually.Within(joined.Task);
    }

    public async Task DisposeAsync()
    {
        if (!_silo.HasExited)
        {
            _silo.Kill(entireProcessTree: true);
            await _silo.WaitForExitAsync();
        }

        _silo.Dispose();
    }

    private string Port => _port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string FreePort() => Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Run_ThroughRedis_AndDirectly_PrintsResultsInInputOrder()
    {
        var viaRedis = await GridProcess.RunAsync(["run", "examples/square.js", "1", "2", "3", "--redis", _redis.Address, "--cluster", _cluster, "--secret", "s3cret"]);
        var direct = await GridProcess.RunAsync(["run", "examples/square.js", "--stdin", "--grid", $"127.0.0.1:{Port}"], string.Concat(Enumerable.Range(1, 300).Select(i => $"{i}\n")));

        Assert.Equal(new GridRun(0, "1\n4\n9\n", string.Empty), viaRedis);
        Assert.Equal(2, direct.ExitCode);
        Assert.Equal("grid: the grid needs its cluster secret: --secret SECRET or GRIDACTORS_SECRET.\n", direct.Stderr);

        var withSecret = await GridProcess.RunAsync(["run", "examples/square.js", "--stdin", "--grid", $"127.0.0.1:{Port}", "--secret", "s3cret"], string.Concat(Enumerable.Range(1, 300).Select(i => $"{i}\n")));
        Assert.Equal(new GridRun(0, string.Concat(Enumerable.Range(1, 300).Select(i => $"{i * i}\n")), string.Empty), withSecret);
    }

    [Fact]
    public async Task WrongSecret_IsRefused_AndTheSiloLogsIt()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "--grid", $"127.0.0.1:{Port}", "--secret", "guess");

        Assert.Equal(new GridRun(3, string.Empty, "grid: The grid refused the cluster secret. Give the grid's secret with --secret or GRIDACTORS_SECRET.\n"), run);
        await Eventually.True(() => { lock (_siloLog) { return _siloLog.Any(l => l.Contains("did not prove the cluster secret", StringComparison.Ordinal)); } }, "the silo logs the refusal");
    }

    [Fact]
    public async Task Sigterm_LeavesTheGrid_MarkingTheSiloDead()
    {
        using (var term = Process.Start("kill", ["-TERM", _silo.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await _silo.WaitForExitAsync().WaitAsync(Eventually.Limit);

        Assert.Equal(0, _silo.ExitCode);

        // The silo's row in Orleans' membership table in Redis (a hash of JSON rows, and its version).
        using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        var rows = (await redis.GetDatabase().HashGetAllAsync($"{_cluster}/members/{_cluster}"))
            .Where(f => f.Name != "Version")
            .Select(f => JsonDocument.Parse((string)f.Value!).RootElement)
            .ToList();
        var row = Assert.Single(rows);
        Assert.Equal(("test-silo", 6), (row.GetProperty("SiloName").GetString(), row.GetProperty("Status").GetInt32()));
    }

    [Fact]
    public async Task UnreachableGrid_NamesTheAddress_AndExitsThree()
    {
        var port = Ports.Free();

        var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "--grid", $"127.0.0.1:{port}", "--secret", "s3cret");

        Assert.Equal(new GridRun(3, string.Empty, $"grid: cannot reach the grid at 127.0.0.1:{port} (Connection refused). Check the address, and that a silo runs there (grid silo).\n"), run);
    }
}

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
    private readonly int _siloPort = Ports.Free();
    private Process _silo = null!;
    private readonly List<string> _siloLog = [];

    public SiloCommandTests(RedisServer redis) => _redis = redis;

    public async Task InitializeAsync()
    {
        _silo = Process.Start(GridProcess.StartInfo(
            "silo", "--redis", _redis.Address, "--cluster", _cluster, "--port", Port, "--silo-port", Text(_siloPort), "--http-port", FreePort(),
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

    private static string FreePort() => Text(Ports.Free());

    private static string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
    public async Task ASiloToldToUseJint_RunsModernModulesInIt_AndSaysSo()
    {
        var cluster = "jint-" + Guid.NewGuid().ToString("N")[..8];
        await using var silo = await SiloProcess.StartAsync(_redis.Address, cluster, Ports.Free(), "jint-silo", "--engine", "jint");
        await silo.WaitForLineAsync(l => l.Contains("runners run modules in Jint 4.18", StringComparison.Ordinal));
        var module = Modules.Write("modern.js", "export default async (n) => { let f = 1n; for (let i = 2n; i <= BigInt(n); i++) f *= i; return f.toString().length }");
        string[] grid = ["--redis", _redis.Address, "--cluster", cluster, "--secret", "s3cret"];

        Assert.Equal(new GridRun(0, "2568\n5736\n", string.Empty), await GridProcess.RunAsync(["run", module, "1000", "2000", .. grid]));

        using var volunteers = JsonDocument.Parse((await GridProcess.RunAsync(["volunteers", "--json", .. grid])).Stdout);
        Assert.Equal("Jint 4.18.0", Assert.Single(volunteers.RootElement.EnumerateArray()).GetProperty("engine").GetString());
    }

    [Fact]
    public async Task AnEngineThatDoesNotExist_IsAUsageError()
    {
        var run = await GridProcess.RunAsync("silo", "--redis", _redis.Address, "--secret", "s3cret", "--engine", "spidermonkey");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("spidermonkey", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("auto", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongSecret_IsRefused_AndTheSiloLogsIt()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "--grid", $"127.0.0.1:{Port}", "--secret", "guess");

        Assert.Equal(new GridRun(3, string.Empty, "grid: The grid refused the cluster secret. Give the grid's secret with --secret or GRIDACTORS_SECRET.\n"), run);
        await Eventually.True(() => { lock (_siloLog) { return _siloLog.Any(l => l.Contains("did not prove the cluster secret", StringComparison.Ordinal)); } }, "the silo logs the refusal");
    }

    [Fact]
    public async Task ASiloWithTheWrongSecret_IsRefusedBeforeItJoins_AndLeavesNoRowBehind()
    {
        var run = await GridProcess.RunAsync("silo", "--redis", _redis.Address, "--cluster", _cluster, "--port", FreePort(), "--silo-port", FreePort(), "--http-port", FreePort(), "--secret", "guess", "--cpus", "1", "--name", "intruder");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"grid: the silos of cluster '{_cluster}' use another secret: this silo's --secret does not match the verifier the grid keeps in Redis at {_redis.Address}. Give the grid's secret with --secret or GRIDACTORS_SECRET.\n", run.Stderr);
        Assert.Equal(["test-silo"], (await MembershipRowsAsync()).Select(r => r.GetProperty("SiloName").GetString()));
    }

    [Fact]
    public async Task AClientThroughRedis_WithTheWrongSecret_IsRefused()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "--redis", _redis.Address, "--cluster", _cluster, "--secret", "guess");

        Assert.Equal(new GridRun(3, string.Empty, "grid: The grid refused the cluster secret. Give the grid's secret with --secret or GRIDACTORS_SECRET.\n"), run);
    }

    [Fact]
    public async Task GarbageAndAHugeFrame_OnTheSilosPorts_AreDropped_AndTheSiloServesOn()
    {
        foreach (var port in new[] { _port, _siloPort })
        {
            // What a stranger who knows only the address might send: an HTTP request, then a flood.
            using (var client = new System.Net.Sockets.TcpClient())
            {
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                await client.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: silo\r\n\r\n"u8.ToArray());
                // At most the silo's side of the handshake (its hello, if it went out before the close), then the close.
                Assert.InRange(await ReadUntilClosedAsync(client.GetStream()), 0, 8 + 32 + 1 + 255);
            }

            using (var client = new System.Net.Sockets.TcpClient())
            {
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                var flood = new byte[64 * 1024 * 1024];
                Random.Shared.NextBytes(flood);
                try
                {
                    await client.GetStream().WriteAsync(flood).AsTask().WaitAsync(Eventually.Limit);
                }
                catch (IOException)
                {
                    // The silo closed the connection on the flood: that is the point.
                }
            }
        }

        await Eventually.True(() => { lock (_siloLog) { return _siloLog.Count(l => l.Contains("Refused a connection from 127.0.0.1:", StringComparison.Ordinal)) >= 4; } }, "the silo logs each refusal with the peer's address");
        var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "2", "--grid", $"127.0.0.1:{Port}", "--secret", "s3cret");
        Assert.Equal(new GridRun(0, "1\n4\n", string.Empty), run);
    }

    /// <summary>Reads what the silo sends until it closes the connection; returns how many bytes it sent.</summary>
    private static async Task<int> ReadUntilClosedAsync(Stream stream)
    {
        var buffer = new byte[4096];
        var total = 0;
        while (await stream.ReadAsync(buffer).AsTask().WaitAsync(Eventually.Limit) is var read and > 0)
        {
            total += read;
        }

        return total;
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

        var row = Assert.Single(await MembershipRowsAsync());
        Assert.Equal(("test-silo", 6), (row.GetProperty("SiloName").GetString(), row.GetProperty("Status").GetInt32()));
    }

    /// <summary>The rows of Orleans' membership table in Redis: a hash of JSON rows, beside its version.</summary>
    private async Task<List<JsonElement>> MembershipRowsAsync()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        return [.. (await redis.GetDatabase().HashGetAllAsync($"{_cluster}/members/{_cluster}"))
            .Where(f => f.Name != "Version")
            .Select(f => JsonDocument.Parse((string)f.Value!).RootElement)];
    }

    [Fact]
    public async Task UnreachableGrid_NamesTheAddress_AndExitsThree()
    {
        var port = Ports.Free();

        var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "--grid", $"127.0.0.1:{port}", "--secret", "s3cret");

        Assert.Equal(new GridRun(3, string.Empty, $"grid: cannot reach the grid at 127.0.0.1:{port} (Connection refused). Check the address, and that a silo runs there (grid silo).\n"), run);
    }
}

using System.Diagnostics;
using System.Globalization;
using GridActors.Testing;
using StackExchange.Redis;

namespace GridActors.Cli.Tests;

/// <summary>Three `grid silo` processes on one redis-server, and a task that outlives one of them.</summary>
public sealed class ClusterTests : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly string _cluster = "cluster-" + Guid.NewGuid().ToString("N")[..8];
    private readonly GridFacts _facts;

    public ClusterTests(RedisServer redis)
    {
        _redis = redis;
        _facts = new GridFacts(redis.Address, _cluster);
    }

    [Fact]
    public async Task KillNineOfASiloMidTask_LosesNothing_PrintsEachResultOnceInOrder_AndTheSiloIsDeclaredDead()
    {
        var ports = new[] { Ports.Free(), Ports.Free(), Ports.Free() };
        await using var a = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[0], "a");
        await using var b = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[1], "b");
        await using var c = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[2], "c");
        var silos = new Dictionary<int, (string Name, SiloProcess Process)> { [ports[0]] = ("a", a), [ports[1]] = ("b", b), [ports[2]] = ("c", c) };
        var module = Modules.Busy(50);

        // The client talks to silo a; the victim is a silo that holds neither the task nor the scheduler.
        await using var client = StreamingClient.Start(module, ports[0], items: 300);
        await client.ReadAsync(count: 50);

        var schedulerPort = await _facts.SchedulerPortAsync();
        var victimPort = ports.Skip(1).First(p => p != schedulerPort);
        var victim = silos[victimPort];
        victim.Process.Process.Kill(entireProcessTree: true);
        var killed = Stopwatch.StartNew();

        // The survivors learn of the death from Orleans' membership (probes, suspicion votes) and log it.
        var declared = Task.WhenAny(silos.Where(s => s.Key != victimPort).Select(s =>
            s.Value.Process.WaitForLineAsync(l => l.Contains($"Silo {victim.Name} (", StringComparison.Ordinal) && l.Contains("declared Dead", StringComparison.Ordinal))))
            .ContinueWith(t => (Line: t.Result.Result, After: killed.Elapsed), TaskScheduler.Default);

        var run = await client.FinishAsync(a, b, c);
        Assert.Equal(new GridRun(0, Expected(300), string.Empty), run);
        var (line, after) = await declared;
        Assert.True(after < TimeSpan.FromSeconds(5), $"declared Dead {after.TotalSeconds:0.0} s after the kill: {line}");
        Assert.True(killed.Elapsed < TimeSpan.FromMinutes(1), $"the task took {killed.Elapsed} after the kill");
    }

    [Fact]
    public async Task KillNineOfTheSchedulersSilo_TheTaskStillCompletes()
    {
        // Silo b starts first, so its volunteer's first request places the scheduler on it; the client uses a.
        var ports = new[] { Ports.Free(), Ports.Free(), Ports.Free() };
        await using var b = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[1], "b");
        Assert.Equal(ports[1], await _facts.SchedulerPortAsync());
        await using var a = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[0], "a");
        await using var c = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[2], "c");
        var module = Modules.Busy(50);
        await using var client = StreamingClient.Start(module, ports[0], items: 600);
        await client.ReadAsync(count: 40);

        b.Process.Kill(entireProcessTree: true);

        Assert.Equal(new GridRun(0, Expected(600), string.Empty), await client.FinishAsync(a, b, c));

        // Jobs were still queued at the kill, so the scheduler had to come back on a survivor.
        Assert.NotEqual(ports[1], await _facts.SchedulerPortAsync());
    }

    [Fact]
    public async Task KillNineOfTheClientsGateway_TheClientFailsOver_AndTheTaskCompletes()
    {
        var ports = new[] { Ports.Free(), Ports.Free(), Ports.Free() };
        await using var a = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[0], "a");
        await using var b = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[1], "b");
        await using var c = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[2], "c");
        var silos = new Dictionary<int, SiloProcess> { [ports[0]] = a, [ports[1]] = b, [ports[2]] = c };
        var module = Modules.Busy(50);
        await using var client = StreamingClient.StartThroughRedis(module, _redis.Address, _cluster, items: 600);
        await client.ReadAsync(count: 30);

        // A task lives on the silo that first called it: the client's gateway.
        var gateway = await _facts.TaskPortAsync();
        silos[gateway].Process.Kill(entireProcessTree: true);

        var run = await client.FinishAsync(a, b, c);
        Assert.Equal((0, Expected(600)), (run.ExitCode, run.Stdout));
        var others = string.Join('|', ports.Where(p => p != gateway));
        Assert.Matches($@"^grid: lost the silo at [^ ]+:{gateway}; carrying on through the silo at [^ ]+:({others})\.\n$", run.Stderr);
    }

    [Fact]
    public async Task ASiloThatJoinsMidTask_GetsJobsAtOnce()
    {
        var ports = new[] { Ports.Free(), Ports.Free() };
        await using var a = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[0], "a");
        var module = Modules.Busy(50);
        await using var client = StreamingClient.Start(module, ports[0], items: 400);
        await client.ReadAsync(count: 20);

        await using var b = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[1], "b");

        // The newcomer publishes its load every second; it runs jobs long before the task ends.
        var ran = await _facts.FirstLoadAsync(ports[1], e => e.Load.RunningJobs + e.Load.QueuedJobs > 0);
        Assert.True(ran.Load.RunningJobs + ran.Load.QueuedJobs > 0);
        var run = await client.FinishAsync(a, b);

        Assert.Equal(new GridRun(0, Expected(400), string.Empty), run);
    }

    [Fact]
    public async Task ASiloAboveItsMaxCpu_GetsNoJobs_TheOtherSiloRunsThem()
    {
        var ports = new[] { Ports.Free(), Ports.Free() };
        await using var a = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[0], "a", "--max-cpu", "20");
        await using var b = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[1], "b");

        // Other work on the machine: a shell loop spinning on one core keeps the CPU above a's threshold.
        using var spinner = CpuSpinner.Start();
        var high = await _facts.FirstLoadAsync(ports[0], e => e.Load.CpuPercent > 20);

        // Silos re-read the load board every second: two seconds on, every view holds a's high CPU.
        await _facts.FirstLoadAsync(ports[0], e => e.Load.CpuPercent > 20 && e.Time > high.Time.AddSeconds(2));

        // The task lives on a, the silo the client talks to; its jobs must all run on b.
        await using var client = StreamingClient.Start(Modules.Busy(20), ports[0], items: 40);
        Assert.Equal(new GridRun(0, Expected(40), string.Empty), await client.FinishAsync(a, b));
        var finished = DateTimeOffset.UtcNow;

        var onB = await _facts.FirstLoadAsync(ports[1], e => e.Load.JobsRun >= 40);
        var onA = await _facts.FirstLoadAsync(ports[0], e => e.Time > finished);
        Assert.Equal((0L, 40L), (onA.Load.JobsRun, onB.Load.JobsRun));
    }

    [Fact]
    public async Task ABusySilo_GetsNoNewJobs_TheOtherSiloRunsThem()
    {
        var ports = new[] { Ports.Free(), Ports.Free() };
        await using var a = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[0], "a");

        // a's only runner takes a long job (it outlasts the test), and a holds a credit for one more job.
        await using var longTask = StreamingClient.Start(Modules.Busy(50_000), ports[0], items: 1);
        await _facts.FirstLoadAsync(ports[0], e => e.Load.RunningJobs == 1);
        await using var b = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[1], "b");

        // New short jobs go to b, the silo with a free runner; none waits behind a's long job.
        await using var client = StreamingClient.Start(Modules.Busy(20), ports[0], items: 30);
        Assert.Equal(new GridRun(0, Expected(30), string.Empty), await client.FinishAsync(a, b));
        var finished = DateTimeOffset.UtcNow;

        var onB = await _facts.FirstLoadAsync(ports[1], e => e.Load.JobsRun >= 30);
        var onA = await _facts.FirstLoadAsync(ports[0], e => e.Time > finished);
        Assert.Equal((0L, 1, 30L), (onA.Load.JobsRun, onA.Load.RunningJobs + onA.Load.QueuedJobs, onB.Load.JobsRun));
    }

    [Fact]
    public async Task RestartOfRedisMidTask_TheTaskCompletesWithCompleteOutput()
    {
        var ports = new[] { Ports.Free(), Ports.Free() };
        await using var a = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[0], "a");
        await using var b = await SiloProcess.StartAsync(_redis.Address, _cluster, ports[1], "b");
        var module = Modules.Busy(20);
        await using var client = StreamingClient.Start(module, ports[0], items: 300);
        await client.ReadAsync(count: 50);

        await _redis.RestartAsync();

        Assert.Equal(new GridRun(0, Expected(300), string.Empty), await client.FinishAsync(a, b));
    }

    [Fact]
    public async Task ASubmittedTask_AndItsResults_SurviveARestartOfTheWholeGrid()
    {
        var port = Ports.Free();
        string id;
        await using (var before = await SiloProcess.StartAsync(_redis.Address, _cluster, port, "before"))
        {
            var items = string.Concat(Enumerable.Range(1, 200).Select(i => $"{i}\n"));
            id = (await GridProcess.RunAsync(["submit", Modules.Busy(10), "--stdin", "--redis", _redis.Address, "--cluster", _cluster, "--secret", "s3cret"], stdin: items)).Stdout.Trim();
        }

        Assert.Matches("^[0-9a-f]{12}$", id);
        await _redis.RestartAsync();

        await using var after = await SiloProcess.StartAsync(_redis.Address, _cluster, Ports.Free(), "after");
        var results = await GridProcess.RunAsync("results", id, "--follow", "--redis", _redis.Address, "--cluster", _cluster, "--secret", "s3cret");
        Assert.Equal(new GridRun(0, Expected(200), string.Empty), results);
    }

    [Fact]
    public async Task GridRun_DeletesItsTask_OnceEveryResultIsPrinted()
    {
        var port = Ports.Free();
        await using var silo = await SiloProcess.StartAsync(_redis.Address, _cluster, port, "a");

        var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "2", "3", "--grid", $"127.0.0.1:{port}", "--secret", "s3cret");

        Assert.Equal(new GridRun(0, "1\n4\n9\n", string.Empty), run);
        using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        Assert.Empty(redis.GetServer(_redis.Address).Keys(pattern: $"{_cluster}:task:*"));
        Assert.Empty(await redis.GetDatabase().SortedSetRangeByRankAsync($"{_cluster}:tasks"));
    }

    [Fact]
    public async Task RedisGoneForGood_TheClientSaysSoWithinAMinute_AndOnceRedisIsBack_NothingAcceptedIsLost()
    {
        var port = Ports.Free();
        await using var silo = await SiloProcess.StartAsync(_redis.Address, _cluster, port, "a");
        var grid = new[] { "--grid", $"127.0.0.1:{port}", "--secret", "s3cret" };
        var submitted = await GridProcess.RunAsync(["submit", Modules.Busy(20), "--stdin", .. grid], stdin: Expected(200));
        Assert.Equal(0, submitted.ExitCode);
        var id = submitted.Stdout.Trim();

        await _redis.StopAsync();
        var waited = Stopwatch.StartNew();
        var lost = await GridProcess.RunAsync(["results", id, "--follow", .. grid]);
        waited.Stop();

        Assert.Equal(3, lost.ExitCode);
        Assert.StartsWith("grid: lost the grid: calls have failed for 60 s, the last with: ", lost.Stderr, StringComparison.Ordinal);
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(90));

        _redis.StartAgain();
        Assert.Equal(new GridRun(0, Expected(200), string.Empty), await GridProcess.RunAsync(["results", id, "--follow", .. grid]));
    }

    [Fact]
    public async Task ASiloStoppedWhileItsGrainsAreBusy_LogsNoError_AndExitsCleanly()
    {
        var port = Ports.Free();
        await using var silo = await SiloProcess.StartAsync(_redis.Address, _cluster, port, "a");
        var submitted = await GridProcess.RunAsync(["submit", Modules.Busy(20), "--stdin", "--grid", $"127.0.0.1:{port}", "--secret", "s3cret"], stdin: Expected(2000));
        Assert.Equal(0, submitted.ExitCode);

        using (var term = Process.Start("kill", ["-TERM", silo.Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await silo.Process.WaitForExitAsync().WaitAsync(Eventually.Limit);
        Assert.Equal(0, silo.Process.ExitCode);
        Assert.DoesNotContain(silo.Log, l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal));
    }

    private static string Expected(int items) => string.Concat(Enumerable.Range(1, items).Select(i => $"{i}\n"));

    /// <summary>A process that keeps one core busy: other work, as the silos' CPU monitors see it.</summary>
    private sealed class CpuSpinner : IDisposable
    {
        private readonly Process _process;

        private CpuSpinner(Process process) => _process = process;

        public static CpuSpinner Start() => new(Process.Start("sh", ["-c", "while :; do :; done"]));

        public void Dispose()
        {
            _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
        }
    }
}

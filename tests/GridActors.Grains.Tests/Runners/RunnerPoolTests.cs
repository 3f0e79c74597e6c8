using System.Globalization;
using GridActors.Grains.Runners;
using GridActors.Grid;

namespace GridActors.Grains.Tests.Runners;

/// <summary>Real runner processes, one pool per test, with a small memory limit so the bomb goes off fast.</summary>
public sealed class RunnerPoolTests : IAsyncLifetime
{
    private readonly RunnerPool _pool = RunnerPools.OneRunner();

    public Task InitializeAsync() => _pool.StartAsync();

    public async Task DisposeAsync() => await _pool.DisposeAsync();

    [Theory]
    [InlineData("module.exports = function (x) { return x * x }", "7", "49")]
    [InlineData("module.exports = function (x, cb) { cb(null, x + 1) }", "7", "8")]
    [InlineData("module.exports['/pando/1.0.0'] = function (x, cb) { cb(null, 'p' + x) }", "7", "\"p7\"")]
    [InlineData("module.exports = function (x) { return { sum: x[0] + x[1], text: 'a\"b' } }", "[1,2]", "{\"sum\":3,\"text\":\"a\\\"b\"}")]
    [InlineData("module.exports = function (x) { }", "1", "null")]
    [InlineData("module.exports = function (x) { return x.length }", "[1,2,3]", "3")]
    [InlineData("module.exports = function (x) { var a = []; return { n: a.push(x), all: [x.length, a.length] } }", "\"ab\"", "{\"n\":1,\"all\":[2,1]}")]
    public async Task EveryModuleForm_ReturnsItsResultAsJson(string module, string item, string result)
    {
        var outcome = await RunAsync(module, item);
        Assert.Equal(new RunnerResult(result, null, JobErrorKind.Script, outcome.Elapsed), outcome);
    }

    [Fact]
    public async Task ModuleThatThrows_FailsThatItemWithItsErrorAndLine()
    {
        const string Module = "module.exports = function (x) {\n  if (x === 2) throw new Error('boom ' + x)\n  return x\n}";
        Assert.Equal("1", (await RunAsync(Module, "1")).Value);
        var failed = await RunAsync(Module, "2");
        Assert.Equal(("Error: boom 2 (line 2)", JobErrorKind.Script), (failed.Error, failed.ErrorKind));
        Assert.Equal("3", (await RunAsync(Module, "3")).Value);
    }

    [Fact]
    public async Task CallbackWithAnError_FailsWithItsMessage()
    {
        var failed = await RunAsync("module.exports = function (x, cb) { cb(new Error('no ' + x)) }", "5");
        Assert.Equal(("no 5", JobErrorKind.Script), (failed.Error, failed.ErrorKind));
    }

    [Fact]
    public async Task SyntaxError_IsAModuleError()
    {
        var failed = await RunAsync("module.exports = function (x) {\n  return x +* 2\n}", "1", name: "bad.js");
        Assert.Equal(("bad.js: SyntaxError: Unexpected token '*' (line 2)", JobErrorKind.Module), (failed.Error, failed.ErrorKind));
    }

    [Fact]
    public async Task ModuleWithoutAFunction_IsAModuleErrorThatSaysWhatToExport()
    {
        var failed = await RunAsync("module.exports = 42", "1", name: "nofn.js");
        Assert.Equal(JobErrorKind.Module, failed.ErrorKind);
        Assert.StartsWith("nofn.js: the module exports no function. Export one: module.exports = function (x) { return ... }", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InfiniteLoop_IsInterruptedAtItsTimeLimit_AndTheRunnerLivesOn()
    {
        var before = _pool.RunnerPids.Single();

        var failed = await RunAsync("module.exports = function (x) { while (true) {} }", "1", timeout: TimeSpan.FromSeconds(1));

        Assert.Equal(("timed out after 1 s", JobErrorKind.Timeout), (failed.Error, failed.ErrorKind));
        Assert.Equal("4", (await RunAsync("module.exports = function (x) { return x * x }", "2")).Value);
        Assert.Equal(before, _pool.RunnerPids.Single());
    }

    [Fact]
    public async Task MemoryBomb_FailsWithTheMemoryLimit_AndTheNextJobRuns()
    {
        var failed = await RunAsync("module.exports = function (x) { const a = []; while (true) a.push(new Array(100000).fill(a.length)) }", "1");

        Assert.Equal(("exceeded the 128 MiB memory limit", JobErrorKind.Memory), (failed.Error, failed.ErrorKind));
        Assert.Equal("9", (await RunAsync("module.exports = function (x) { return x * x }", "3")).Value);
    }

    [Fact]
    public async Task ResultOverTheOutputLimit_FailsWithItsSize()
    {
        var failed = await RunAsync("module.exports = function (x) { return new Array(x).join('y') }", (3.2 * 1024 * 1024).ToString("0", CultureInfo.InvariantCulture));
        Assert.Equal(("result of 3.2 MiB exceeds the 1 MiB limit", JobErrorKind.Output), (failed.Error, failed.ErrorKind));
    }

    [Fact]
    public async Task DeepRecursion_IsARangeError_AsInNode()
    {
        var failed = await RunAsync("function down(n) { return down(n + 1) + 1 }\nmodule.exports = function (x) { return down(0) }", "1");
        Assert.Equal(("RangeError: Maximum call stack size exceeded (line 1)", JobErrorKind.Script), (failed.Error, failed.ErrorKind));
    }

    [Fact]
    public async Task TaskCode_SeesNoFileNetworkOrProcessApi()
    {
        var result = await RunAsync(
            "module.exports = function () { return [typeof require, typeof process, typeof System, typeof XMLHttpRequest, typeof fetch, typeof importScripts, typeof Deno, typeof console.log] }",
            "0");
        Assert.Equal("[\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"function\"]", result.Value);
    }

    [Fact]
    public async Task Runner_RunsAtTheLowestCpuPriority()
    {
        var stat = await File.ReadAllTextAsync($"/proc/{_pool.RunnerPids.Single()}/stat");

        // Field 19 of /proc/PID/stat is the nice value; it follows the parenthesised command name.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal("19", fields[16]);
    }

    [Fact]
    public async Task JobsBehindAKilledJob_StillRun()
    {
        var loop = RunAsync("module.exports = function (x) { while (true) {} }", "1", timeout: TimeSpan.FromSeconds(1));
        var after = Enumerable.Range(1, 5).Select(i => RunAsync("module.exports = function (x) { return x + 1 }", i.ToString(CultureInfo.InvariantCulture))).ToArray();

        Assert.Equal(JobErrorKind.Timeout, (await loop).ErrorKind);
        Assert.Equal(["2", "3", "4", "5", "6"], (await Task.WhenAll(after)).Select(r => r.Value));
    }

    [Fact]
    public async Task CancellingATask_StopsItsRunningJob_AndTheJobsWrittenAheadBehindIt_NotJustTheFirst()
    {
        // One runner: the three endless jobs are written ahead to it, one running, two waiting in its pipe.
        const string Endless = "module.exports = function (x) { while (true) {} }";
        var cancelled = Enumerable.Range(0, 3).Select(i => RunAsync(Endless, "1", key: $"t/{i}")).ToArray();
        await Testing.Eventually.True(() => _pool.GetWorkload().Running == 1, "the first endless job runs");

        _pool.Cancel(job => job.Key?.StartsWith("t/", StringComparison.Ordinal) == true);

        Assert.Equal([JobErrorKind.Cancelled, JobErrorKind.Cancelled, JobErrorKind.Cancelled], (await Task.WhenAll(cancelled)).Select(r => r.ErrorKind));
        Assert.Equal("4", (await RunAsync("module.exports = function (x) { return x * x }", "2", key: "u/0")).Value);
    }

    private Task<RunnerResult> RunAsync(string module, string item, TimeSpan? timeout = null, string name = "test.js", string? key = null) =>
        _pool.RunAsync(module, item, timeout, name, key: key);
}

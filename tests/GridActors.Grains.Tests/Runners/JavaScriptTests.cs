using System.Globalization;
using GridActors.Grains.Runners;
using GridActors.Grid;

namespace GridActors.Grains.Tests.Runners;

/// <summary>V8, the engine every linux-x64 volunteer runs.</summary>
public sealed class V8JavaScriptTests() : JavaScriptTests("v8");

/// <summary>Jint, the fallback where V8 does not load: the same language, limits and sandbox.</summary>
public sealed class JintJavaScriptTests() : JavaScriptTests("jint");

/// <summary>
/// What a module may write and what it may not reach, in a real runner process with one engine:
/// modern JavaScript, answers that come later, results JSON cannot hold, every bad module the
/// runner must survive, and the wall between tasks.
/// </summary>
public abstract class JavaScriptTests(string engine) : IAsyncLifetime
{
    private readonly RunnerPool _pool = RunnerPools.OneRunner(engine);

    private bool IsV8 => engine == "v8";

    public Task InitializeAsync() => _pool.StartAsync();

    public async Task DisposeAsync() => await _pool.DisposeAsync();

    [Fact]
    public void Pool_SaysWhichEngineItsRunnersUse()
    {
        Assert.StartsWith(IsV8 ? "V8 (ClearScript 7.5.1)" : "Jint 4.18", _pool.Engine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModernJavaScript_Runs()
    {
        const string Module = """
            class Point { #x; constructor(x, y) { this.#x = x; this.y = y } get x() { return this.#x } }
            function* count(n) { for (let i = 0; i < n; i++) yield i }
            module.exports = ({ n, name = 'p' }) => {
              const p = new Point(n, n * 2);
              const seen = new Map([[name, p.x]]);
              const squares = [...count(n)].map((i) => i ** 2);
              const bytes = new Uint8Array([250, 5]).map((b) => b + 10);
              return { text: `${name}=${seen.get(name)}`, squares, set: new Set([1, 1, 2]).size, bytes: [...bytes], nullish: p.z ?? 'none', opt: p?.w?.v };
            }
            """;
        var result = await RunAsync(Module, "{\"n\":4}");
        Assert.Equal("{\"text\":\"p=4\",\"squares\":[0,1,4,9],\"set\":2,\"bytes\":[4,15],\"nullish\":\"none\"}", result.Value);
    }

    [Theory]
    [InlineData("export default (n) => { let f = 1n; for (let i = 2n; i <= BigInt(n); i++) f *= i; return f.toString().length }", "1000", "2568")]
    [InlineData("export default function (x) { return x + 1 }", "1", "2")]
    [InlineData("const twice = (x) => 2 * x;\nexport default function (x, cb) { cb(null, twice(x)) }", "4", "8")]
    [InlineData("export const unit = 'm';\nexport default async (x) => `${await x}${unit}`", "3", "\"3m\"")]
    [InlineData("module.exports = async function (x) { const y = await Promise.resolve(x * 2); return { x, y } }", "1", "{\"x\":1,\"y\":2}")]
    [InlineData("module.exports = (x, cb) => Promise.resolve().then(() => cb(null, x + 1))", "1", "2")]
    [InlineData("module.exports = (x, cb) => { setTimeout((a, b) => cb(null, [x, a, b]), 20, 'a', 'b') }", "1", "[1,\"a\",\"b\"]")]
    [InlineData("module.exports = (x) => new Promise((ok) => setTimeout(() => ok(x * 3), 10))", "5", "15")]
    [InlineData("module.exports = (x, cb) => { let n = 0; const t = setInterval(() => { if (++n === 3) { clearInterval(t); cb(null, n) } }, 5) }", "0", "3")]
    [InlineData("module.exports = (x, cb) => { const t = setTimeout(() => cb(null, 'late'), 5); clearTimeout(t); setTimeout(() => cb(null, 'kept'), 10) }", "0", "\"kept\"")]
    public async Task EveryExportForm_AndEveryWayOfAnsweringLater_Works(string module, string item, string result)
    {
        Assert.Equal(new RunnerResult(result, null, JobErrorKind.Script, TimeSpan.Zero), await RunAsync(module, item) with { Elapsed = TimeSpan.Zero });
    }

    [Theory]
    [InlineData("module.exports = (x) => 2n ** 70n", "\"1180591620717411303424\"")]
    [InlineData("module.exports = (x) => ({ n: 12345678901234567890n, list: [1n, 2] })", "{\"n\":\"12345678901234567890\",\"list\":[\"1\",2]}")]
    public async Task BigIntResults_ComeBackAsTheirDigits(string module, string result)
    {
        Assert.Equal(result, (await RunAsync(module, "0")).Value);
    }

    [Theory]
    [InlineData("module.exports = (x) => function () {}", "the module returned a function, which JSON cannot hold")]
    [InlineData("module.exports = (x) => Symbol('s')", "the module returned a symbol, which JSON cannot hold")]
    [InlineData("module.exports = (x) => { const a = {}; a.self = a; return a }", "the result cannot be turned into JSON: TypeError: ")]
    [InlineData("module.exports = async (x) => { throw new RangeError('late ' + x) }", "RangeError: late 1 (line 1)")]
    [InlineData("module.exports = (x, cb) => setTimeout(() => { throw new Error('in a timer') }, 1)", "Error: in a timer (line 1)")]
    public async Task ResultsJsonCannotHold_AndLateFailures_AreClearItemErrors(string module, string error)
    {
        var failed = await RunAsync(module, "1");
        Assert.Equal(JobErrorKind.Script, failed.ErrorKind);
        Assert.StartsWith(error, failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACommonJsModule_WithALineStartingWithAWordLikeImport_IsNotTakenForAStandardModule()
    {
        const string Module = """
            const names = {
              importScripts: 'a key, not an import',
              exportable: true,
            };
            module.exports = (x) => names.importScripts.length + x
            """;

        Assert.Equal("21", (await RunAsync(Module, "1")).Value);
    }

    [Fact]
    public async Task CallbackCalledTwice_TheFirstAnswerWins()
    {
        Assert.Equal("1", (await RunAsync("module.exports = (x, cb) => { cb(null, 1); cb(null, 2); cb(new Error('3')) }", "0")).Value);
        Assert.Equal("\"first\"", (await RunAsync("module.exports = (x, cb) => { setTimeout(() => cb(null, 'second'), 1); cb(null, 'first') }", "0")).Value);
    }

    [Theory]
    [InlineData("module.exports = (x) => new Promise(() => {})")]
    [InlineData("module.exports = (x, cb) => {}")]
    [InlineData("module.exports = (x) => JSON.stringify({ get x() { while (true) {} } })")]
    [InlineData("module.exports = (x) => { try { return 1 } finally { while (true) {} } }")]
    [InlineData("module.exports = (x) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)")]
    [InlineData("module.exports = (x) => /^(a+)+$/.test('a'.repeat(40) + 'b')")]
    public async Task JobsThatNeverAnswer_EndAtTheirTimeLimit_AndTheNextJobRuns(string module)
    {
        await WarmAsync();
        var failed = await RunAsync(module, "1", timeout: TimeSpan.FromSeconds(1));

        Assert.Equal(("timed out after 1 s", JobErrorKind.Timeout), (failed.Error, failed.ErrorKind));
        var next = await RunAsync("module.exports = (x) => x * x", "3");
        Assert.Equal(("9", null), (next.Value, next.Error));
    }

    [Fact]
    public async Task AModuleWhoseTopLevelNeverEnds_IsAModuleError_AtTheTimeLimit()
    {
        await WarmAsync();
        var failed = await RunAsync("while (true) {}\nmodule.exports = (x) => x", "1", timeout: TimeSpan.FromSeconds(1), name: "stuck.js");

        Assert.Equal(("stuck.js: the module did not finish loading (its top level ran past the job's time limit)", JobErrorKind.Module), (failed.Error, failed.ErrorKind));
        Assert.Equal("9", (await RunAsync("module.exports = (x) => x * x", "3")).Value);
    }

    [Fact]
    public async Task QuickJobsWrittenTogether_RunInBatches_AndEachGetsItsOwnAnswer_InOrder()
    {
        // One runner: the pool writes these ahead to it together, and once the task's first job
        // showed it is quick, they go into the engine several at a time. Between them: an error,
        // a job that answers later, and results JSON cannot hold.
        const string Module = "let n = 0;\nmodule.exports = (x, cb) => { n++; if (x % 50 === 7) throw new Error('no ' + x); if (x % 50 === 9) { setTimeout(() => cb(null, -x), 1); return } if (x % 50 === 11) return cb(null, () => 1); cb(null, [x, n]) }";
        var jobs = Enumerable.Range(0, 300).Select(i => RunAsync(Module, i.ToString(CultureInfo.InvariantCulture), task: "batched")).ToArray();
        var results = await Task.WhenAll(jobs);

        for (var i = 0; i < results.Length; i++)
        {
            var expected = (i % 50) switch
            {
                7 => new RunnerResult(null, $"Error: no {i} (line 2)", JobErrorKind.Script, TimeSpan.Zero),
                9 => new RunnerResult((-i).ToString(CultureInfo.InvariantCulture), null, JobErrorKind.Script, TimeSpan.Zero),
                11 => new RunnerResult(null, "the module returned a function, which JSON cannot hold: return numbers, strings, booleans, null, arrays or plain objects", JobErrorKind.Script, TimeSpan.Zero),
                _ => new RunnerResult($"[{i},{i + 1}]", null, JobErrorKind.Script, TimeSpan.Zero),
            };
            Assert.Equal(expected, results[i] with { Elapsed = TimeSpan.Zero });
        }
    }

    [Fact]
    public async Task AJobThatNeverEnds_AmongQuickOnes_TimesOutAlone()
    {
        const string Module = "module.exports = (x) => { if (x === 40) while (true) {} return x + 1 }";
        await WarmAsync();
        var jobs = Enumerable.Range(0, 80).Select(i => RunAsync(Module, i.ToString(CultureInfo.InvariantCulture), timeout: TimeSpan.FromSeconds(1), task: "stuck")).ToArray();
        var results = await Task.WhenAll(jobs);

        Assert.Equal(("timed out after 1 s", JobErrorKind.Timeout), (results[40].Error, results[40].ErrorKind));
        Assert.Equal(
            Enumerable.Range(0, 80).Where(i => i != 40).Select(i => (i + 1).ToString(CultureInfo.InvariantCulture)),
            results.Where((_, i) => i != 40).Select(r => r.Value));
    }

    [Fact]
    public async Task TimersOfAnAnsweredJob_NeverFireInTheNext()
    {
        const string Module = "let fired = 0;\nmodule.exports = (x, cb) => { if (x === 1) { setTimeout(() => { fired++ }, 1); cb(null, 'set') } else setTimeout(() => cb(null, fired), 50) }";
        Assert.Equal("\"set\"", (await RunAsync(Module, "1", task: "t")).Value);
        Assert.Equal("0", (await RunAsync(Module, "2", task: "t")).Value);
    }

    [Fact]
    public async Task RecursionAHundredThousandDeep_IsARangeError()
    {
        var failed = await RunAsync("const down = (n) => n === 0 ? 0 : 1 + down(n - 1);\nmodule.exports = (x) => down(x)", "100000");
        Assert.Equal(JobErrorKind.Script, failed.ErrorKind);
        Assert.StartsWith("RangeError: Maximum call stack size exceeded", failed.Error, StringComparison.Ordinal);
        Assert.Equal("1000", (await RunAsync("const down = (n) => n === 0 ? 0 : 1 + down(n - 1);\nmodule.exports = (x) => down(x)", "1000")).Value);
    }

    [Theory]
    [InlineData("module.exports = (x) => new Uint8Array(2 * 1024 ** 3).length")]
    [InlineData("module.exports = (x) => { const a = []; while (true) a.push(new Array(100000).fill(a.length)) }")]
    [InlineData("module.exports = (x) => { const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 }); m.grow(32767); return new Uint8Array(m.buffer).fill(1).length }")]
    public async Task TwoGigabytes_FailWithTheMemoryLimit_NamedAsSuch(string module)
    {
        var failed = await RunAsync(module, "1");

        if (!IsV8 && module.Contains("WebAssembly", StringComparison.Ordinal))
        {
            Assert.Contains("this volunteer runs modules in Jint", failed.Error, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(("exceeded the 128 MiB memory limit", JobErrorKind.Memory), (failed.Error, failed.ErrorKind));
        Assert.Equal("16", (await RunAsync("module.exports = (x) => x * x", "4")).Value);
    }

    [Fact]
    public async Task ATenMegabyteString_IsOverTheOutputLimit()
    {
        var failed = await RunAsync("module.exports = (x) => 'y'.repeat(x)", (10 * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(("result of 10.0 MiB exceeds the 1 MiB limit", JobErrorKind.Output), (failed.Error, failed.ErrorKind));
    }

    [Theory]
    [InlineData("import fs from 'fs';\nexport default (x) => fs", "fs")]
    [InlineData("export const notAFunction = 1;", "the module exports no function")]
    [InlineData("module.exports = function (x) {\n  return x +* 2\n}", "SyntaxError: Unexpected token '*' (line 2)")]
    public async Task ModulesThatCannotLoad_AreModuleErrors(string module, string error)
    {
        var failed = await RunAsync(module, "1", name: "bad.js");

        Assert.Equal(JobErrorKind.Module, failed.ErrorKind);
        Assert.StartsWith("bad.js: ", failed.Error, StringComparison.Ordinal);
        Assert.Contains(error, failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskCode_ReachesNoHostFileNetworkOrProcess()
    {
        var result = await RunAsync(
            "module.exports = async () => [typeof require, typeof process, typeof host, typeof clr, typeof fetch, typeof importScripts, typeof XMLHttpRequest,\n" +
            "  typeof EngineInternal === 'undefined' || Object.isFrozen(EngineInternal) && Object.values(EngineInternal).every((v) => typeof v === 'function' || JSON.stringify(v) === '{}'),\n" +
            "  await import('fs').then(() => 'imported', () => 'refused')]",
            "0");
        Assert.Equal("[\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"undefined\",true,\"refused\"]", result.Value);
    }

    [Fact]
    public async Task WhatOneTaskDoesToItsGlobals_NoOtherTaskSees_WhileItsOwnJobsShareThem()
    {
        // The same module for both tasks: one engine per task, not per module.
        const string Module = """
            let jobs = 0;
            module.exports = (mode) => {
              jobs++;
              if (mode === 'pollute') {
                Object.prototype.polluted = true; Math.random = () => 4; JSON.stringify = () => '"hijacked"';
                Array.prototype.map = () => []; globalThis.leak = 'yes'; return 'done';
              }
              return [({}).polluted === undefined, Math.random() < 1, typeof leak, [1].map((x) => x).length, jobs];
            }
            """;
        Assert.Equal("\"done\"", (await RunAsync(Module, "\"pollute\"", task: "a")).Value);
        Assert.Equal("[true,true,\"undefined\",1,1]", (await RunAsync(Module, "\"check\"", task: "b")).Value);
        Assert.Equal("[true,true,\"undefined\",1,2]", (await RunAsync(Module, "\"check\"", task: "b")).Value);
        // The polluter sees its own changes (the runner's JSON, taken before the module ran, still serialises its result).
        Assert.Equal("[false,false,\"string\",0,2]", (await RunAsync(Module, "\"check\"", task: "a")).Value);
    }

    [Fact]
    public async Task WebAssembly_RunsOnV8_AndIsAnItemErrorNamingTheEngineOnJint()
    {
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "examples", "collatz-wasm.js"));
        var result = await RunAsync(source, "\"1-30\"", name: "collatz-wasm.js");

        if (IsV8)
        {
            Assert.Equal("{\"start\":27,\"steps\":111}", result.Value);
        }
        else
        {
            Assert.Equal(JobErrorKind.Script, result.ErrorKind);
            Assert.Contains("Jint", result.Error, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "GridActors.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the GridActors repository.");
    }

    /// <summary>
    /// Runs one job in the fresh runner first. A module loads within its first job's time limit, and
    /// a cold runner on a busy machine (Jint above all, compiled on first use) can spend a one-second
    /// limit loading; the tests with such limits are about the job, not the runner's start.
    /// </summary>
    [Fact]
    public async Task ASeededJob_DrawsTheSameRandomNumbers_AsAnotherWithItsSeed_AndOthersDoNot()
    {
        const string Module = "module.exports = () => [Math.random(), Math.random()]";
        await WarmAsync();

        var first = await RunAsync(Module, "0", task: "s", seed: "task-1/7");
        var again = await RunAsync(Module, "0", task: "s", seed: "task-1/7");
        var other = await RunAsync(Module, "0", task: "s", seed: "task-1/8");

        Assert.Equal(first.Value, again.Value);
        Assert.NotEqual(first.Value, other.Value);
        var numbers = System.Text.Json.JsonSerializer.Deserialize<double[]>(first.Value!)!;
        Assert.All(numbers, n => Assert.InRange(n, 0, 1));
    }

    [Fact]
    public async Task AnUnseededJob_GetsBackTheRandomItsTaskHad()
    {
        const string Module = "let mine = null; module.exports = (x) => { if (x === 'own') { mine = () => 4; Math.random = mine; } return Math.random() }";
        await WarmAsync();

        Assert.Equal("4", (await RunAsync(Module, "\"own\"", task: "u")).Value);
        Assert.NotEqual("4", (await RunAsync(Module, "0", task: "u", seed: "u/1")).Value);
        Assert.Equal("4", (await RunAsync(Module, "0", task: "u")).Value);
    }

    [Fact]
    public async Task AModulesCompareFunction_JudgesPairsOfResults_AndNoneIsSaidAsNull()
    {
        const string Compares = "module.exports = (x) => x; module.exports.compare = (a, b) => Math.abs(a - b) < 0.01";
        await WarmAsync();

        Assert.Equal("[true,false]", (await RunAsync(Compares, "[[3.141,3.142],[3.1,3.2]]", task: "c", compare: true)).Value);
        Assert.Equal("null", (await RunAsync("module.exports = (x) => x", "[[1,2]]", task: "d", compare: true)).Value);
        var throws = await RunAsync("module.exports = (x) => x; module.exports.compare = () => { throw new Error('no') }", "[[1,2]]", task: "e", compare: true);
        Assert.Contains("compare: Error: no", throws.Error);
    }

    private async Task WarmAsync() => Assert.Equal("1", (await RunAsync("module.exports = (x) => x", "1", name: "warm.js", task: "warm")).Value);

    private Task<RunnerResult> RunAsync(string module, string item, TimeSpan? timeout = null, string name = "test.js", string? task = null, string? seed = null, bool compare = false) =>
        _pool.RunAsync(module, item, timeout, name, task: task, seed: seed, compare: compare);
}

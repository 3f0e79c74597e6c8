using System.Text.Json;

namespace GridActors.Cli.Tests;

public class RunCommandTests
{
    [Fact]
    public async Task Run_PrintsResultsInInputOrder()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "1", "2", "3", "4", "5");

        Assert.Equal(new GridRun(0, "1\n4\n9\n16\n25\n", string.Empty), run);
    }

    [Fact]
    public async Task Run_ItemsThatFinishInShuffledOrder_PrintInInputOrder()
    {
        // Each job busy-waits its item's milliseconds and returns when it finished.
        var module = Modules.Write("wait.js", "module.exports = function (ms) { var end = Date.now() + ms; while (Date.now() < end) {} return [ms, Date.now()] }");
        int[] items = [700, 5, 400, 1, 200, 30];

        var run = await GridProcess.RunAsync(["run", module, .. items.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<long[]>(l)!).ToArray();
        Assert.Equal(items.Select(i => (long)i), lines.Select(l => l[0]));
        var finished = lines.Select(l => l[1]).ToArray();
        Assert.NotEqual(finished.Order(), finished);
    }

    [Fact]
    public async Task Run_InterruptedWhileItsGridIsBusy_SaysSo_AndLogsNothingElse()
    {
        // Ctrl+C is SIGINT at its default disposition. A test run that a shell without job control
        // started in the background inherits SIGINT ignored, and the grid keeps it ignored, as nohup
        // relies on: env resets it, so the test asks what a user at a terminal gets.
        var start = GridProcess.StartInfo("run", Modules.Busy(20), "--stdin");
        start.ArgumentList.Insert(0, start.FileName);
        start.ArgumentList.Insert(0, "--default-signal=INT");
        start.FileName = "env";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        for (var i = 1; i <= 200; i++)
        {
            await process.StandardInput.WriteLineAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // A first result: the embedded grid is up and its grains are busy with the rest.
        Assert.Equal("1", await process.StandardOutput.ReadLineAsync().WaitAsync(Testing.Eventually.Limit));
        using (var interrupt = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(Testing.Eventually.Limit);
        Assert.Equal((130, "grid: interrupted.\n"), (process.ExitCode, await stderr));
    }

    [Fact]
    public async Task Run_Stdin_RunsEveryLine()
    {
        var input = string.Concat(Enumerable.Range(1, 1000).Select(i => $"{i}\n"));

        var run = await GridProcess.RunAsync(["run", "examples/square.js", "--stdin"], input);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Concat(Enumerable.Range(1, 1000).Select(i => $"{i * i}\n")), run.Stdout);
    }

    [Fact]
    public async Task Run_Stdin_PrintsResultsWhileInputIsStillArriving()
    {
        using var process = System.Diagnostics.Process.Start(GridProcess.StartInfo("run", "examples/square.js", "--stdin"))!;
        try
        {
            await process.StandardInput.WriteLineAsync("3");
            await process.StandardInput.FlushAsync();

            Assert.Equal("9", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)));

            await process.StandardInput.WriteLineAsync("4");
            process.StandardInput.Close();
            Assert.Equal("16", await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Run_Json_PrintsOneObjectPerItem()
    {
        var module = Modules.Write("half.js", "module.exports = function (x) { if (typeof x !== 'number') throw new TypeError('not a number: ' + x); return x / 2 }");

        var run = await GridProcess.RunAsync("run", module, "--json", "1", "x", "[3]");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            "{\"index\":0,\"item\":1,\"result\":0.5}\n{\"index\":1,\"item\":\"x\",\"error\":\"TypeError: not a number: x (line 1)\"}\n{\"index\":2,\"item\":[3],\"error\":\"TypeError: not a number: 3 (line 1)\"}\n",
            run.Stdout);
    }

    [Fact]
    public async Task Run_PrintsStringsRawAndOtherValuesAsCompactJson()
    {
        var run = await GridProcess.RunAsync("run", "examples/factor.js", "12", "97");
        var strings = await GridProcess.RunAsync("run", Modules.Write("hello.js", "module.exports = function (x) { return 'hello ' + x }"), "world", "\"quoted\"");

        Assert.Equal(new GridRun(0, "[2,2,3]\n[97]\n", string.Empty), run);
        Assert.Equal(new GridRun(0, "hello world\nhello quoted\n", string.Empty), strings);
    }

    [Fact]
    public async Task Run_Local_RunsTheModuleWithoutAGrid()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "--local", "7", "8");

        Assert.Equal(new GridRun(0, "49\n64\n", string.Empty), run);
    }

    [Fact]
    public async Task Run_ExamplePi_PrintsAnEstimatePerItem()
    {
        var run = await GridProcess.RunAsync("run", "examples/pi.js", "200000", "200000");

        Assert.Equal(0, run.ExitCode);
        Assert.All(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.InRange(double.Parse(line, System.Globalization.CultureInfo.InvariantCulture), 3.0, 3.3));
    }

    [Fact]
    public async Task Run_ExampleMd5Crack_FindsTheWordInItsSlice()
    {
        const string Hash = "8aa02ea491bf6d41078b534015782c59";

        var run = await GridProcess.RunAsync("run", "examples/md5-crack.js", $"gr1d:{Hash}:117000-117199", $"gr1d:{Hash}:0-99");

        Assert.Equal(new GridRun(0, "grid\nnull\n", string.Empty), run);
    }

    [Fact]
    public async Task Run_ExampleCollatz_FindsTheLongestChain()
    {
        var run = await GridProcess.RunAsync("run", "examples/collatz.js", "1-10", "1-100");

        Assert.Equal(new GridRun(0, "{\"start\":9,\"steps\":19}\n{\"start\":97,\"steps\":118}\n", string.Empty), run);
    }

    [Fact]
    public async Task Run_ExampleCollatzInWebAssembly_AgreesWithThePlainJavaScript()
    {
        string[] items = ["1-10", "1-100", "100000-200000", "27"];
        var wasm = await GridProcess.RunAsync(["run", "examples/collatz-wasm.js", .. items]);
        var plain = await GridProcess.RunAsync(["run", "examples/collatz.js", .. items]);

        Assert.Equal(new GridRun(0, "{\"start\":9,\"steps\":19}\n{\"start\":97,\"steps\":118}\n{\"start\":156159,\"steps\":382}\n{\"start\":27,\"steps\":111}\n", string.Empty), wasm);
        Assert.Equal(wasm, plain);
    }

    [Fact]
    public async Task ExampleWebAssemblyBytes_AreCollatzWatCompiled()
    {
        // Compiles examples/collatz.wat with wabt (installed from npm on first use) and compares.
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["examples/wasm/build.sh", "--check"])
        {
            WorkingDirectory = GridProcess.RepositoryRoot,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var check = System.Diagnostics.Process.Start(start)!;
        var stderr = check.StandardError.ReadToEndAsync();
        var stdout = check.StandardOutput.ReadToEndAsync();
        await check.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));

        Assert.True(check.ExitCode == 0, $"examples/wasm/build.sh --check exited {check.ExitCode}: {await stdout}{await stderr}");
    }
}

namespace GridActors.Cli.Tests;

/// <summary>Each bad input gets a message naming the problem, a non-zero exit code, and leaves the other items unharmed.</summary>
public class BadInputTests
{
    [Fact]
    public async Task MissingModuleFile_IsAUsageError()
    {
        var run = await GridProcess.RunAsync("run", "examples/nope.js", "1");

        Assert.Equal(new GridRun(2, string.Empty, "grid: module file 'examples/nope.js' not found. Give the path of a JavaScript module, such as examples/square.js.\n"), run);
    }

    [Fact]
    public async Task ModuleWithASyntaxError_SaysWhereAndExitsOne()
    {
        var module = Modules.Write("syntax.js", "module.exports = function (x) {\n  return x +* 2\n}\n");

        var run = await GridProcess.RunAsync("run", module, "1", "2");

        Assert.Equal(new GridRun(1, string.Empty, "grid: the module cannot run: syntax.js: SyntaxError: Unexpected token '*' (line 2)\n"), run);
    }

    [Fact]
    public async Task ModuleThatExportsNoFunction_SaysWhatToExport()
    {
        var module = Modules.Write("nofn.js", "module.exports = { answer: 42 }\n");

        var run = await GridProcess.RunAsync("run", module, "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith("grid: the module cannot run: nofn.js: the module exports no function. Export one: module.exports = function (x) { return ... }", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModuleThatThrowsForSomeItems_FailsOnlyThose()
    {
        var module = Modules.Write("odd.js", "module.exports = function (x) {\n  if (x % 2 === 0) throw new Error('even ' + x)\n  return x\n}\n");

        var run = await GridProcess.RunAsync("run", module, "1", "2", "3", "4", "5");

        Assert.Equal(new GridRun(1, "1\n3\n5\n", "grid: item 1 (2): Error: even 2 (line 2)\ngrid: item 3 (4): Error: even 4 (line 2)\n"), run);
    }

    [Fact]
    public async Task InfiniteLoop_TimesOut_IsRetried_AndTheOtherItemsSucceed()
    {
        var module = Modules.Write("loop.js", "module.exports = function (x) { while (x === 0) {} return x }\n");

        var run = await GridProcess.RunAsync("run", module, "--job-timeout", "1", "--max-attempts", "2", "0", "7");

        Assert.Equal(new GridRun(1, "7\n", "grid: item 0 (0): timed out after 1 s (attempt 2 of 2)\n"), run);
    }

    [Fact]
    public async Task MemoryBomb_FailsWithTheMemoryLimit()
    {
        // Strings of 128 KiB, each new: the heap fills in a second or two. (Joining a fresh 100,000-slot
        // array for every string took 25 s of CPU to fill it, and over the 60 s job timeout when the
        // cluster tests ran beside it at normal priority.)
        var module = Modules.Write("bomb.js", "module.exports = function (x) { var a = [], s = new Array(65537).join('x'); while (x === 0) a.push(s + a.length); return x }\n");

        var run = await GridProcess.RunAsync("run", module, "--max-attempts", "1", "0", "7");

        Assert.Equal(new GridRun(1, "7\n", "grid: item 0 (0): exceeded the 512 MiB memory limit\n"), run);
    }

    [Fact]
    public async Task ResultOverTheOutputLimit_FailsWithItsSize()
    {
        var module = Modules.Write("big.js", "module.exports = function (x) { return x ? new Array(x).join('y') : 'small' }\n");

        var run = await GridProcess.RunAsync("run", module, "3355444", "0");

        Assert.Equal(new GridRun(1, "small\n", "grid: item 0 (3355444): result of 3.2 MiB exceeds the 1 MiB limit\n"), run);
    }

    [Fact]
    public async Task DeepRecursion_IsARangeError_AsInNode()
    {
        var module = Modules.Write("deep.js", "function down(n) { return n === 0 ? 0 : down(n - 1) + 1 }\nmodule.exports = function (x) { return down(x) }\n");

        var run = await GridProcess.RunAsync("run", module, "1000000", "100");

        Assert.Equal(new GridRun(1, "100\n", "grid: item 0 (1000000): RangeError: Maximum call stack size exceeded (line 1)\n"), run);
    }

    [Fact]
    public async Task UnknownFlag_IsAUsageError()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "--frobnicate", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal(
            "grid: unknown option '--frobnicate'. To run an item that starts with '-', put it after '--': grid run MODULE -- --frobnicate\nRun 'grid run --help' to see what it accepts.\n",
            run.Stderr);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task JobTimeoutThatIsNotPositive_IsAUsageError(string timeout)
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "--job-timeout", timeout, "2");

        Assert.Equal(new GridRun(2, string.Empty, $"grid: --job-timeout must be a positive number of seconds, not {timeout}. Try --job-timeout 60.\nRun 'grid run --help' to see what it accepts.\n"), run);
    }

    [Fact]
    public async Task MaxAttemptsZero_IsAUsageError()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "--max-attempts", "0", "2");

        Assert.Equal(new GridRun(2, string.Empty, "grid: --max-attempts must be at least 1, not 0. Try --max-attempts 3.\nRun 'grid run --help' to see what it accepts.\n"), run);
    }

    [Theory]
    [InlineData("--replicas 0", "grid: --replicas must be from 1 to 16, not 0. Try --replicas 2.")]
    [InlineData("--replicas 2 --quorum 3", "grid: --quorum 3 is more than the 2 replicas each job runs on; give --replicas 3 or more, or a smaller --quorum.")]
    [InlineData("--trust sometimes", "grid: --trust must be none or adaptive, not 'sometimes'.")]
    [InlineData("--trust adaptive --check-share 1.5", "grid: --check-share must be from 0 to 1, not 1.5. Try --check-share 0.1.")]
    [InlineData("--replicas 3 --max-replicas 2", "grid: --max-replicas 2 is fewer than the 3 replicas each job starts with.")]
    public async Task ReplicaAndTrustOptionsOutOfRange_AreUsageErrors(string options, string error)
    {
        var run = await GridProcess.RunAsync(["run", "examples/square.js", "2", .. options.Split(' ')]);

        Assert.Equal(new GridRun(2, string.Empty, error + "\nRun 'grid run --help' to see what it accepts.\n"), run);
    }

    [Fact]
    public async Task ReplicasWithLocal_AreAUsageError_ForLocalRunsEachItemOnce()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "2", "--local", "--replicas", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--local runs each item once", run.Stderr);
    }

    [Fact]
    public async Task ASiloWithKubernetes_OutsideAPod_IsAUsageError()
    {
        var run = await GridProcess.RunAsync("silo", "--kubernetes", "--redis", "127.0.0.1:1", "--secret", "s3cret");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("grid: --kubernetes is for a silo that runs as a pod of a Kubernetes Deployment", run.Stderr);
    }

    public static TheoryData<string, string[], string> BadHttpsCertificates()
    {
        var good = Certificates.Write("good");
        var other = Certificates.Write("other");
        var expired = Certificates.Write("expired", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        var notPem = Modules.Write("not-a-certificate.pem", "hello\n");
        return new()
        {
            { "a missing certificate file", ["--https-cert", "/nonexistent/fullchain.pem", "--https-key", good.Key], "grid: --https-cert /nonexistent/fullchain.pem: no such file. Give the PEM certificate" },
            { "a missing key file", ["--https-cert", good.Certificate, "--https-key", "/nonexistent/privkey.pem"], "grid: --https-key /nonexistent/privkey.pem: no such file. Give the PEM private key" },
            { "a key without its certificate", ["--https-key", good.Key], "grid: --https-key is the private key of an --https-cert certificate; give the certificate too" },
            { "a certificate without its key", ["--https-cert", good.Certificate], $"grid: the HTTPS certificate {good.Certificate} comes without its private key: give the key's PEM file with --https-key." },
            { "a file that is no certificate", ["--https-cert", notPem, "--https-key", good.Key], $"grid: cannot read the HTTPS certificate {notPem} with the key {good.Key}: " },
            { "another certificate's key", ["--https-cert", good.Certificate, "--https-key", other.Key], $"grid: cannot read the HTTPS certificate {good.Certificate} with the key {other.Key}: " },
            { "an expired certificate", ["--https-cert", expired.Certificate, "--https-key", expired.Key], $"grid: the HTTPS certificate {expired.Certificate} expired on " },
            { "a public URL that is not one", ["--public-url", "grid.example.org"], "--public-url must be an http:// or https:// address with no query or fragment, such as https://grid.example.org, not grid.example.org." },
        };
    }

    [Theory]
    [MemberData(nameof(BadHttpsCertificates))]
    public async Task ASilosBadHttpsSettings_AreUsageErrors_SaidBeforeItJoins(string what, string[] options, string message)
    {
        // Redis at port 1 is never reached: the settings are refused first.
        var run = await GridProcess.RunAsync(["silo", "--redis", "127.0.0.1:1", "--secret", "s3cret", .. options]);

        Assert.True(run.ExitCode == 2, $"{what}: exit code {run.ExitCode}; {run.Stderr}");
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoItems_IsAUsageError()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js");

        Assert.Equal(new GridRun(2, string.Empty, "grid: no items to run. Give items after the module (grid run examples/square.js 1 2 3) or read them with --stdin.\n"), run);
    }

    [Fact]
    public async Task NegativeNumbers_AreItemsNotOptions()
    {
        var run = await GridProcess.RunAsync("run", "examples/square.js", "-3", "--", "--x");

        Assert.Equal(new GridRun(0, "9\nnull\n", string.Empty), run);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("volunteers")]
    [InlineData("usage")]
    public async Task AGridCommand_ForAnUnreachableGrid_NamesTheAddress_AndExitsThree(string command)
    {
        var port = Testing.Ports.Free();

        var run = await GridProcess.RunAsync(command, "--grid", $"127.0.0.1:{port}", "--secret", "s3cret");

        Assert.Equal(new GridRun(3, string.Empty, $"grid: cannot reach the grid at 127.0.0.1:{port} (Connection refused). Check the address, and that a silo runs there (grid silo).\n"), run);
    }
}

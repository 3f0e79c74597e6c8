using System.Text.Json;
using GridActors.Testing;
using StackExchange.Redis;

namespace GridActors.Cli.Tests;

/// <summary>One `grid silo` on a redis-server, shared by the tests of the task and grid commands.</summary>
public sealed class OneSiloGrid : IAsyncLifetime
{
    public RedisServer Redis { get; } = new();

    public string Cluster { get; } = "cmd-" + Guid.NewGuid().ToString("N")[..8];

    public int Port { get; } = Ports.Free();

    public string Grid => $"127.0.0.1:{Port}";

    internal SiloProcess Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await SiloProcess.StartAsync(Redis.Address, Cluster, Port, "cmd-silo");

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        Redis.Dispose();
    }
}

/// <summary>grid submit, results, status, cancel, delete, volunteers and usage, as a user runs them, against a real silo.</summary>
public sealed class TaskCommandTests(OneSiloGrid grid) : IClassFixture<OneSiloGrid>
{
    private Task<GridRun> Grid(params string[] args) => GridProcess.RunAsync([.. args, "--grid", grid.Grid, "--secret", "s3cret"]);

    [Fact]
    public async Task Submit_PrintsAnId_TheTaskRunsOnWithoutItsClient_AndItsResultsReadAsOftenAsWanted()
    {
        var submit = await Grid("submit", "examples/square.js", "1", "2", "3", "4", "5");
        Assert.Equal((0, string.Empty), (submit.ExitCode, submit.Stderr));
        var id = submit.Stdout.Trim();
        Assert.Matches("^[0-9a-f]{12}$", id);

        Assert.Equal(new GridRun(0, "1\n4\n9\n16\n25\n", string.Empty), await Grid("results", id, "--follow"));
        Assert.Equal(new GridRun(0, "1\n4\n9\n16\n25\n", string.Empty), await Grid("results", id));
        var json = await Grid("results", id, "--json");
        Assert.StartsWith("{\"index\":0,\"item\":1,\"result\":1}\n", json.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_WithoutFollow_PrintsWhatIsDone_AndSaysTheTaskStillRuns()
    {
        var id = (await Grid("submit", Modules.Busy(4000), "1", "2")).Stdout.Trim();

        var now = await Grid("results", id);

        Assert.Equal((0, string.Empty), (now.ExitCode, now.Stdout));
        Assert.Contains($"task {id} is still running; 0 results so far in order. grid results {id} --follow waits for the rest.", now.Stderr, StringComparison.Ordinal);
        await Grid("delete", id);
    }

    [Fact]
    public async Task Status_ShowsOneTask_TheTableOfTasks_AndJson()
    {
        var id = (await Grid("submit", "examples/square.js", "1", "2", "3")).Stdout.Trim();
        await Grid("results", id, "--follow");

        var one = await Grid("status", id);
        Assert.Equal(0, one.ExitCode);
        Assert.Contains($"task      {id}\nmodule    square.js\nstate     finished\nitems     3\ndone      3, failed 0, running 0, pending 0\n", one.Stdout, StringComparison.Ordinal);

        var table = await Grid("status");
        Assert.Matches($@"(?m)^TASK +MODULE +STATE +DONE +FAILED +RUNNING +PENDING +RATE/S +ETA +SUBMITTED$", table.Stdout);
        Assert.Matches($@"(?m)^{id} +square\.js +finished +3 +0 +0 +0 ", table.Stdout);

        using var json = JsonDocument.Parse((await Grid("status", "--json")).Stdout);
        var row = json.RootElement.EnumerateArray().Single(t => t.GetProperty("task").GetString() == id);
        Assert.Equal(("finished", 3L), (row.GetProperty("state").GetString(), row.GetProperty("done").GetInt64()));
    }

    [Fact]
    public async Task Cancel_StopsTheRunningJob_KeepsTheTask_AndASecondCancelIsRefused()
    {
        var id = (await Grid("submit", Modules.Busy(30_000), "1", "2", "3")).Stdout.Trim();
        await WaitForUsageAsync(load => load.GetProperty("runningJobs").GetInt32() == 1, "the first job runs");

        var cancel = await Grid("cancel", id);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains($"grid: cancelled task {id}", cancel.Stderr, StringComparison.Ordinal);

        // The runner holding the job is stopped, long before the job's 30 s were up.
        await WaitForUsageAsync(load => load.GetProperty("runningJobs").GetInt32() == 0 && load.GetProperty("queuedJobs").GetInt32() == 0, "the running job is stopped");
        Assert.Contains("state     cancelled", (await Grid("status", id)).Stdout, StringComparison.Ordinal);
        var results = await Grid("results", id);
        Assert.Equal((1, string.Empty), (results.ExitCode, results.Stdout));
        Assert.Equal("grid: item 0 (1): cancelled before it ran to the end\ngrid: item 1 (2): cancelled before it ran to the end\ngrid: item 2 (3): cancelled before it ran to the end\n", results.Stderr);

        var again = await Grid("cancel", id);
        Assert.Equal(new GridRun(2, string.Empty, $"grid: task {id} has already ended (cancelled); there is nothing to cancel. Its results stay readable: grid results {id}.\n"), again);
    }

    [Fact]
    public async Task Delete_RemovesTheTaskAndItsData_AndItsResultsAreThenRefused()
    {
        var id = (await Grid("submit", "examples/square.js", "7")).Stdout.Trim();
        Assert.Equal("49\n", (await Grid("results", id, "--follow")).Stdout);

        Assert.Equal(new GridRun(0, string.Empty, $"grid: deleted task {id}.\n"), await Grid("delete", id));

        var results = await Grid("results", id);
        Assert.Equal(new GridRun(2, string.Empty, $"grid: there is no task '{id}' on this grid: it was never submitted, or it was deleted. 'grid status' lists the tasks.\n"), results);
        Assert.DoesNotContain(id, (await Grid("status")).Stdout, StringComparison.Ordinal);
        // Nothing of the task is left in Redis: not its items, results or counters, not the task
        // grain's state (Orleans' storage), not its reminder (a field of Orleans' reminder hash).
        using var redis = await ConnectionMultiplexer.ConnectAsync(grid.Redis.Address);
        Assert.Empty(redis.GetServer(grid.Redis.Address).Keys(pattern: $"*{id}*"));
        var reminders = await redis.GetDatabase().HashGetAllAsync($"{grid.Cluster}/reminders");
        Assert.DoesNotContain(reminders, r => ((string)r.Name!).Contains(id, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("results")]
    [InlineData("status")]
    [InlineData("cancel")]
    [InlineData("delete")]
    public async Task AnUnknownTask_IsAUsageError_ThatSaysSo(string command)
    {
        Assert.Equal(
            new GridRun(2, string.Empty, "grid: there is no task 'nosuchtask00' on this grid: it was never submitted, or it was deleted. 'grid status' lists the tasks.\n"),
            await Grid(command, "nosuchtask00"));
    }

    [Fact]
    public async Task SubmitWithNoItems_IsRefused_AndCreatesNothing()
    {
        Assert.Equal(
            new GridRun(2, string.Empty, "grid: no items to submit. Give items after the module (grid submit examples/square.js 1 2 3) or read them with --stdin.\n"),
            await Grid("submit", "examples/square.js"));
        var before = (await Grid("status", "--json")).Stdout;

        var empty = await GridProcess.RunAsync(["submit", "examples/square.js", "--stdin", "--grid", grid.Grid, "--secret", "s3cret"], stdin: string.Empty);

        Assert.Equal(new GridRun(2, string.Empty, "grid: standard input held no items; nothing was submitted.\n"), empty);
        Assert.Equal(before, (await Grid("status", "--json")).Stdout);
    }

    [Fact]
    public async Task TheSilosHttpPort_ServesTheVolunteerPageAndTheDashboard_AndOrleansDashboardOnlyToTheOperator()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{grid.Silo.HttpPort}") };

        var volunteer = await http.GetAsync("/volunteer");
        var dashboard = await http.GetAsync("/");
        var orleans = await http.GetAsync("/orleans/");
        var events = await http.GetStringAsync("/dashboard/events");

        Assert.Equal(System.Net.HttpStatusCode.OK, volunteer.StatusCode);
        Assert.Contains("Donate this computer", await volunteer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", volunteer.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, orleans.StatusCode);
        Assert.Equal("Orleans' dashboard is for the grid's operator: open / with the cluster secret first.\n", await orleans.Content.ReadAsStringAsync());
        Assert.Equal("event: denied\ndata: {}\n\n", events);
    }

    [Fact]
    public async Task Volunteers_AndUsage_ShowTheSilo()
    {
        // The other tests of this class share the silo: what it has done is counted from here.
        var before = await ItemsDoneAsync();
        Assert.Equal("1\n4\n9\n", (await Grid("run", "examples/square.js", "1", "2", "3")).Stdout);
        Assert.Equal(before + 3, await ItemsDoneAsync());

        var table = await Grid("volunteers");
        Assert.Matches(@"(?m)^NAME +KIND +SILO +CPUS +CPU% +RUNNING +DONE +JOBS/S +JOB MS MEAN +SD +MIN +MAX +AGREED +DISAGREED +TRUSTED +ENGINE$", table.Stdout);
        Assert.Matches($@"(?m)^cmd-silo +silo +127\.0\.0\.1:{grid.Port} +1 +.* V8 \(ClearScript 7\.5\.1\)$", table.Stdout);

        var usage = await Grid("usage");
        Assert.Equal(0, usage.ExitCode);
        Assert.Matches($@"(?m)^cmd-silo +127\.0\.0\.1:{grid.Port} +active +[\d.]+ +100 +\d/1 ", usage.Stdout);
    }

    private async Task<long> ItemsDoneAsync()
    {
        using var volunteers = JsonDocument.Parse((await Grid("volunteers", "--json")).Stdout);
        var volunteer = Assert.Single(volunteers.RootElement.EnumerateArray());
        Assert.Equal(("cmd-silo", 1), (volunteer.GetProperty("name").GetString(), volunteer.GetProperty("cpus").GetInt32()));
        return volunteer.GetProperty("itemsDone").GetInt64();
    }

    [Fact]
    public async Task TheGrid_ComesFromTheConfigFile_TheEnvironmentWinsOverIt_AndFlagsWinOverBoth()
    {
        var folder = Directory.CreateTempSubdirectory("gridactors-config-").FullName;
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, $$"""{ "grid": "{{grid.Grid}}", "secret": "s3cret" }""");
        var fromFile = new Dictionary<string, string> { ["GRIDACTORS_CONFIG"] = config };

        Assert.Equal(0, (await GridProcess.RunAsync(["usage"], environment: fromFile)).ExitCode);

        var wrongSecret = new Dictionary<string, string>(fromFile) { ["GRIDACTORS_SECRET"] = "wrong" };
        var refused = await GridProcess.RunAsync(["usage"], environment: wrongSecret);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("secret", refused.Stderr, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(0, (await GridProcess.RunAsync(["usage", "--secret", "s3cret"], environment: wrongSecret)).ExitCode);
    }

    [Fact]
    public async Task AMalformedConfigFile_IsNamed_WithItsLine()
    {
        var folder = Directory.CreateTempSubdirectory("gridactors-config-").FullName;
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, "{\n  \"grid\": \"127.0.0.1:1\",\n  \"secret\" \"s3cret\"\n}\n");

        var run = await GridProcess.RunAsync(["status"], environment: new Dictionary<string, string> { ["GRIDACTORS_CONFIG"] = config });

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"grid: the config file {config} is not valid JSON at line 3: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACommandForARunningGrid_WithoutOne_SaysHowToNameIt()
    {
        Assert.Equal(
            new GridRun(2, string.Empty, "grid: grid status talks to a running grid: give --grid HOST:PORT or --redis HOST:PORT, or set \"grid\" or \"redis\" in ~/.gridactors/config.json.\n"),
            await GridProcess.RunAsync("status"));
    }

    /// <summary>Reads `grid usage --json` until the silo's load matches: it publishes its load every second.</summary>
    private async Task WaitForUsageAsync(Func<JsonElement, bool> match, string what)
    {
        var last = string.Empty;
        try
        {
            await Eventually.True(
                () =>
                {
                    var usage = Grid("usage", "--json").GetAwaiter().GetResult();
                    using var json = JsonDocument.Parse(usage.Stdout);
                    var load = json.RootElement.EnumerateArray().Single().GetProperty("load");
                    last = load.ToString();
                    return match(load);
                },
                what);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}; the last load: {last}; the silo's log:\n{string.Join('\n', grid.Silo.Log)}", exception);
        }
    }
}
